package dev.arbiter.testing;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import grpc.health.v1.HealthGrpc;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged Quarkus service (its target/quarkus-app) as a real operating-system process on free
 * ports, for integration tests that start, stop and kill services.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    public final int grpcPort;
    public final ManagedChannel channel;

    private ServiceProcess(Process process, int grpcPort) {
        this.process = process;
        this.grpcPort = grpcPort;
        this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    }

    /**
     * Starts the runner jar named by the system property {@code runner.property} (set by failsafe) with
     * the given configuration, and returns once gRPC health says SERVING. Output goes to target/NAME.log.
     */
    public static ServiceProcess start(String runnerProperty, String name, Map<String, String> properties) {
        String runner = System.getProperty(runnerProperty, "target/quarkus-app/quarkus-run.jar");
        if (!new File(runner).isFile()) {
            throw new IllegalStateException(runner + " is missing: run `mvn verify` (integration tests need the packaged service)");
        }
        int grpcPort = freePort();
        int httpPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dquarkus.grpc.server.port=" + grpcPort);
        command.add("-Dquarkus.http.port=" + httpPort);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(runner);
        File log = new File("target/" + name + ".log");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                    .start();
            ServiceProcess service = new ServiceProcess(p, grpcPort);
            service.awaitServing();
            service.awaitReady(httpPort);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Blocks until gRPC health says SERVING; waitForReady makes each call wait for the port to open. */
    private void awaitServing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + " during start; see its log in target/");
            }
            try {
                ServingStatus status = HealthGrpc.newBlockingStub(channel)
                        .withWaitForReady()
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance())
                        .getStatus();
                if (status == ServingStatus.SERVING) {
                    return;
                }
            } catch (io.grpc.StatusRuntimeException retry) {
                // Not listening yet: the next call waits for the channel again.
            }
        }
        throw new IllegalStateException("the service did not become SERVING within 60 s; see its log in target/");
    }

    /**
     * Blocks until SmallRye readiness answers 200: the gRPC server may answer before startup work (restores,
     * model preloads, subscriptions) has finished, readiness only after.
     */
    private void awaitReady(int httpPort) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + " during start; see its log in target/");
            }
            try {
                var response = http.send(
                        java.net.http.HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(5)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException retry) {
                // HTTP not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            // A poll interval against an outside process, not a guess at how long something takes.
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new IllegalStateException("the service was not ready within 60 s; see its log in target/");
    }

    /** SIGTERM, as Kubernetes stops a pod, and wait for the graceful shutdown to finish. */
    public void stop() {
        channel.shutdownNow();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the service did not stop within 60 s of SIGTERM");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hook runs, as in a crash. */
    public void kill() {
        channel.shutdownNow();
        process.destroyForcibly();
        try {
            process.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
