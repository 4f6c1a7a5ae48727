package dev.arbiter.testing;

import dev.arbiter.service.LocalService;
import io.grpc.ManagedChannel;
import io.grpc.Grpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A packaged Quarkus service (its target/quarkus-app) as a real operating-system process, for integration tests that
 * start, stop and kill services: service-support's {@link LocalService} (the service binds ports 0 and reports them)
 * with the jar named by a failsafe system property, its log in target/, and a channel to its reported gRPC port.
 */
public final class ServiceProcess implements AutoCloseable {

    private final LocalService service;
    public final int grpcPort;
    /** The HTTP port: health, metrics. */
    public final int httpPort;
    public final ManagedChannel channel;

    private ServiceProcess(LocalService service) {
        this.service = service;
        this.grpcPort = service.grpcPort();
        this.httpPort = service.httpPort();
        this.channel = Grpc.newChannelBuilderForAddress("127.0.0.1", grpcPort, service.credentials()).build();
    }

    /**
     * Starts the runner jar named by the system property {@code runner.property} (set by failsafe) with
     * the given configuration, and returns once gRPC health says SERVING and readiness answers. Output is
     * appended to target/NAME.log.
     */
    public static ServiceProcess start(String runnerProperty, String name, Map<String, String> properties) {
        return start(Path.of(System.getProperty(runnerProperty, "target/quarkus-app/quarkus-run.jar")), name, properties);
    }

    /** As {@link #start(String, String, Map)}, from the runner jar {@code runner} (another build's, for instance). */
    public static ServiceProcess start(Path runner, String name, Map<String, String> properties) {
        if (!runner.toFile().isFile()) {
            throw new IllegalStateException(runner + " is missing: run `mvn verify` (integration tests need the packaged service)");
        }
        LocalService service = LocalService.start(name, runner, properties, Path.of("target"), true);
        try {
            service.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            service.kill();
            throw e;
        }
        return new ServiceProcess(service);
    }

    /** What this process has written to its log so far. */
    public String output() {
        return service.output();
    }

    /** SIGTERM, as Kubernetes stops a pod, and wait for the graceful shutdown to finish. */
    public void stop() {
        channel.shutdownNow();
        if (!service.stop(Duration.ofSeconds(60))) {
            throw new IllegalStateException("the service did not stop within 60 s of SIGTERM");
        }
    }

    /** SIGSTOP: the service hangs (connections accepted, nothing answered) until {@link #resume}. */
    public void pause() {
        service.pause();
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() {
        service.resume();
    }

    /** SIGKILL: no shutdown hook runs, as in a crash. */
    public void kill() {
        channel.shutdownNow();
        service.kill();
    }

    @Override
    public void close() {
        if (service.isAlive()) {
            stop();
        }
    }
}
