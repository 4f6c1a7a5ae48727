package dev.arbiter.service;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import dev.arbiter.service.tls.ClientTls;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One packaged Arbiter service ({@code MODULE/target/quarkus-app/quarkus-run.jar}) run as an operating-system process,
 * its output in a log file: what {@code arbiter demo} starts, waits for and stops, and what the integration tests start,
 * stop and kill (test-support's {@code ServiceProcess}). Each service binds port 0 for gRPC and HTTP and reports the
 * ports it got in its log ({@link BoundPorts}); callers take them from {@link #grpcPort()} and {@link #httpPort()}
 * once {@link #awaitPorts} or {@link #awaitReady} has returned. (A port found free here and bound later by the service
 * can be taken in between by another process; the demo failed that way.)
 */
public final class LocalService implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    /** Where this process's output starts in the log: an appended log holds earlier runs' ports too. */
    private final long logStart;
    private volatile BoundPorts ports;
    private final Map<String, String> properties;

    private LocalService(String name, Process process, Path log, long logStart, Map<String, String> properties) {
        this.name = name;
        this.properties = Map.copyOf(properties);
        this.process = process;
        this.log = log;
        this.logStart = logStart;
    }

    /**
     * The JVM option every service starts with: the incubating Vector API the engine's {@code Simulator.runAll} uses
     * for several simulations per SIMD instruction (without it, one at a time). The same option goes in
     * {@code JDK_JAVA_OPTIONS} where a service is started otherwise (README, Deploy).
     */
    public static final String VECTOR_MODULE = "--add-modules=jdk.incubator.vector";

    /** The jar of a module under the repository root {@code home}. */
    /** TLS is off for a local service unless its properties set this to false (service-support tls/ServerTls). */
    public static final String PLAINTEXT = "arbiter.tls.plaintext";

    /**
     * The credentials a client of this service needs: none when it runs plaintext, else the certificate, key and CA
     * in its {@code arbiter.tls.dir} (a local test's own CA, presented back to it).
     */
    public ChannelCredentials credentials() {
        boolean plaintext = !"false".equals(properties.get(PLAINTEXT));
        return ClientTls.credentials(plaintext, Path.of(properties.getOrDefault("arbiter.tls.dir", "/etc/arbiter/tls")));
    }

    public static Path jar(Path home, String module) {
        return home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /**
     * Starts {@code jar} on ports 0 with the given configuration (as system properties) and returns at once; call
     * {@link #awaitPorts} or {@link #awaitReady} before using it. Its output replaces {@code logDir/NAME.log}.
     */
    public static LocalService start(String name, Path jar, Map<String, String> properties, Path logDir) {
        return start(name, jar, properties, logDir, false);
    }

    /** As {@link #start(String, Path, Map, Path)}, the output appended to the log when {@code append}. */
    public static LocalService start(String name, Path jar, Map<String, String> properties, Path logDir, boolean append) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(VECTOR_MODULE); // the engine's vectorized simulations (optimizer-service's RunTrials)
        command.add("-Dquarkus.grpc.server.port=0");
        command.add("-Dquarkus.http.port=0");
        if (!properties.containsKey(PLAINTEXT)) {
            command.add("-D" + PLAINTEXT + "=true"); // on this machine's loopback only; a caller that wants TLS says so
        }
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            long logStart = append && Files.exists(log) ? Files.size(log) : 0;
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(append ? ProcessBuilder.Redirect.appendTo(log.toFile())
                            : ProcessBuilder.Redirect.to(log.toFile())).start();
            return new LocalService(name, p, log, logStart, properties);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + jar + "): " + e.getMessage(), e);
        }
    }

    /** The gRPC port the service bound; known once {@link #awaitPorts} or {@link #awaitReady} has returned. */
    public int grpcPort() {
        return reported().grpc();
    }

    /** The HTTP port (health, metrics) the service bound; known once {@link #awaitPorts} or {@link #awaitReady} has returned. */
    public int httpPort() {
        return reported().http();
    }

    private BoundPorts reported() {
        BoundPorts p = ports;
        if (p == null) {
            throw new IllegalStateException(name + " has not reported its ports yet: call awaitPorts or awaitReady first");
        }
        return p;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /**
     * Blocks until the service has bound its gRPC and HTTP ports and said so in its log (before its startup work is
     * done: enough to tell the services that call it where it listens), or throws with the end of its log.
     */
    public void awaitPorts(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ports == null) {
            if (!process.isAlive()) {
                throw failure("exited with status " + process.exitValue() + " while starting");
            }
            Optional<BoundPorts> reported = BoundPorts.in(output());
            if (reported.isPresent()) {
                BoundPorts p = reported.get();
                if (p.grpc() == 0 || p.http() == 0) {
                    throw failure("reported port 0 (" + p + ")");
                }
                ports = p;
                return;
            }
            if (System.nanoTime() >= deadline) {
                throw failure("did not report its ports within " + timeout.toSeconds() + " s");
            }
            // A poll interval against another process, not a guess at how long it takes.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /**
     * Blocks until the ports are reported ({@link #awaitPorts}), gRPC health says SERVING and SmallRye readiness
     * answers 200 (the gRPC server can answer before startup work such as restores and migrations is done), or throws
     * with the end of the service's log.
     */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        awaitPorts(timeout);
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", grpcPort(), credentials()).build();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + httpPort() + "/q/health/ready");
            boolean serving = false;
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw failure("exited with status " + process.exitValue() + " while starting");
                }
                serving = serving || serving(channel);
                if (serving && ready(http, ready)) {
                    return;
                }
                // A poll interval against another process, not a guess at how long it takes.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            throw failure("was not ready within " + timeout.toSeconds() + " s");
        } finally {
            channel.shutdownNow();
        }
    }

    /** This process's output so far (an appended log: from where this process began). */
    public String output() {
        try (InputStream in = Files.newInputStream(log)) {
            in.skipNBytes(logStart);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + "'s log " + log, e);
        }
    }

    private static boolean serving(ManagedChannel channel) {
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING;
        } catch (StatusRuntimeException notYet) {
            return false;
        }
    }

    private static boolean ready(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a service", e);
        }
    }

    private IllegalStateException failure(String what) {
        return new IllegalStateException(name + " " + what + "; the end of its log (" + log + "):\n" + tail(20));
    }

    /** The last lines of the service's log. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(the log cannot be read: " + e.getMessage() + ")";
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGTERM, as Kubernetes stops a pod, and waits up to {@code grace} for the graceful shutdown; then SIGKILL.
     * Returns false when it had to be killed.
     */
    public boolean stop(Duration grace) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        try {
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * SIGSTOP: the process stays, its sockets accept connections, and nothing answers, as a service stuck in a
     * long pause or on a hung host looks to its callers. {@link #resume} continues it.
     */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("kill -" + name + " could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + name, e);
        }
    }

    /** SIGKILL: no shutdown hook runs, as in a crash. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #stop} with 30 s of grace. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
