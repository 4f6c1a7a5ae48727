package dev.arbiter.cli.demo;

import dev.arbiter.cli.client.HostPort;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.service.LocalService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The five services the demo runs, started as processes from their packaged jars (each on the ports it binds and
 * reports), wired to each other, and stopped together (SIGTERM) at the end, also when the demo is interrupted.
 */
final class DemoServices implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Map<Service, LocalService> running = new EnumMap<>(Service.class);
    private final Thread shutdownHook = new Thread(this::stopAll, "arbiter-demo-stop");

    /**
     * How the services are configured: where the jars are and what they share; {@code ruleService} is rule-service's
     * own configuration (the history its proposals are backtested on), {@code extra} goes to every service.
     */
    record Setup(Path home, String database, String redis, String ensemble, String runId, Path workDir,
            Map<String, String> ruleService, Map<String, String> extra) {
    }

    private DemoServices() {
    }

    /**
     * Checks that PostgreSQL and Redis answer and the jars exist, then starts the services and waits until each is
     * ready.
     *
     * @throws UsageError when a jar is missing or PostgreSQL or Redis does not answer, saying what to do
     */
    static DemoServices start(Setup s) {
        Map<Service, Path> jars = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            Path jar = LocalService.jar(s.home(), service.displayName).toAbsolutePath().normalize();
            if (!Files.isRegularFile(jar)) {
                throw new UsageError(jar + " is missing: build the services first (mvn -B package -DskipTests at the "
                        + "repository root; ./arbiter demo does it for you), or pass --home with the repository root");
            }
            jars.put(service, jar);
        }
        answers("PostgreSQL", hostPort(s.database().replaceFirst("^jdbc:postgresql://", ""), 5432),
                "start it (sudo service postgresql start) or install it (sudo apt-get install -y postgresql)");
        answers("Redis", hostPort(s.redis().replaceFirst("^redis://", ""), 6379),
                "start it (sudo service redis-server start) or install it (sudo apt-get install -y redis-server)");

        DemoServices services = new DemoServices();
        Runtime.getRuntime().addShutdownHook(services.shutdownHook);
        Path logs = s.workDir().resolve("logs");
        try {
            // Each service binds ports 0 and reports what it got, and is told where the services it calls listen:
            // model-service asks feature-service for the feature schema, decision-service and optimizer-service call
            // both, so feature-service starts first, then model-service, then those two, then rule-service, which
            // calls feature-service, decision-service and optimizer-service.
            for (List<Service> stage : List.of(List.of(Service.FEATURES), List.of(Service.MODELS),
                    List.of(Service.DECISIONS, Service.OPTIMIZER), List.of(Service.RULES))) {
                for (Service service : stage) {
                    services.start(service, jars.get(service), s, logs);
                }
                services.awaitAll(l -> l.awaitPorts(START_TIMEOUT));
            }
            services.awaitAll(l -> l.awaitReady(START_TIMEOUT));
        } catch (RuntimeException e) {
            services.close();
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        }
        return services;
    }

    private void start(Service service, Path jar, Setup s, Path logs) {
        running.put(service, LocalService.start(service.displayName, jar, properties(service, s), logs));
    }

    /** Runs {@code step} for every running service at once and waits for all of them. */
    private void awaitAll(Consumer<LocalService> step) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (LocalService l : running.values()) {
            all.add(CompletableFuture.runAsync(() -> step.accept(l)));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    /** Each service's configuration: the shared database and Redis, and where the ones it calls listen. */
    private Map<String, String> properties(Service service, Setup s) {
        Map<String, String> p = new HashMap<>();
        p.put("quarkus.redis.hosts", s.redis());
        if (service != Service.FEATURES) {
            p.put("quarkus.datasource.jdbc.url", s.database());
        }
        switch (service) {
            case FEATURES -> {
                p.put("arbiter.features.snapshot.key-prefix", "arbiter-demo:" + s.runId() + ":features:");
                p.put("arbiter.features.log.dir", s.workDir().resolve("feature-log").toAbsolutePath().toString());
            }
            case MODELS -> {
                p.put("quarkus.grpc.clients.features.host", "127.0.0.1");
                p.put("quarkus.grpc.clients.features.port", Integer.toString(running.get(Service.FEATURES).grpcPort()));
            }
            case DECISIONS -> {
                p.put("arbiter.decision.ensemble", s.ensemble());
                p.put("arbiter.decision.redis-prefix", "arbiter-demo:" + s.runId() + ":decision:");
                p.put("arbiter.decision.log.spool-dir", s.workDir().resolve("decision-spool").toString());
                p.put("quarkus.grpc.clients.features.host", "127.0.0.1");
                p.put("quarkus.grpc.clients.features.port", Integer.toString(running.get(Service.FEATURES).grpcPort()));
                p.put("quarkus.grpc.clients.models.host", "127.0.0.1");
                p.put("quarkus.grpc.clients.models.port", Integer.toString(running.get(Service.MODELS).grpcPort()));
            }
            case OPTIMIZER -> {
                p.put("quarkus.grpc.clients.models.host", "127.0.0.1");
                p.put("quarkus.grpc.clients.models.port", Integer.toString(running.get(Service.MODELS).grpcPort()));
                p.put("arbiter.optimizer.history.root", s.workDir().resolve("history").toAbsolutePath().toString());
            }
            case RULES -> {
                for (Service called : List.of(Service.FEATURES, Service.DECISIONS, Service.OPTIMIZER)) {
                    String client = called == Service.FEATURES ? "features" : called == Service.DECISIONS ? "decisions" : "optimizer";
                    p.put("quarkus.grpc.clients." + client + ".host", "127.0.0.1");
                    p.put("quarkus.grpc.clients." + client + ".port", Integer.toString(running.get(called).grpcPort()));
                }
                p.putAll(s.ruleService());
            }
        }
        p.putAll(s.extra());
        return p;
    }

    /** The gRPC address of each service. */
    Map<Service, HostPort> addresses() {
        Map<Service, HostPort> a = new EnumMap<>(Service.class);
        running.forEach((service, l) -> a.put(service, address(l)));
        return a;
    }

    /**
     * Leaves the services running after the demo and writes {@code services.properties} (each service's address and
     * the process ids), for the load generator and for other CLI commands.
     */
    Path keepRunning(Path dir) {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
        StringBuilder b = new StringBuilder("# written by arbiter demo --keep-running; stop them with: kill ")
                .append(pids()).append('\n');
        running.forEach((service, l) -> b.append(service.name().toLowerCase()).append('=').append(address(l)).append('\n'));
        // each service's HTTP side (health, metrics), e.g. for the load script to count the decisions made
        running.forEach((service, l) -> b.append(service.name().toLowerCase()).append(".http=127.0.0.1:").append(l.httpPort())
                .append('\n'));
        b.append("pids=").append(pids()).append('\n');
        Path file = dir.resolve("services.properties");
        try {
            Files.writeString(file, b.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        running.clear();
        return file;
    }

    private static HostPort address(LocalService l) {
        return new HostPort("127.0.0.1", l.grpcPort());
    }

    private String pids() {
        return running.values().stream().map(l -> Long.toString(l.pid())).collect(Collectors.joining(" "));
    }

    /** Stops every service (rule-service, then decision-service: they call the others), each with SIGTERM. */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Called from the hook itself.
        }
    }

    private synchronized void stopAll() {
        for (Service service : List.of(Service.RULES, Service.DECISIONS, Service.OPTIMIZER, Service.FEATURES, Service.MODELS)) {
            LocalService l = running.remove(service);
            if (l != null) {
                l.close();
            }
        }
    }

    private static HostPort hostPort(String text, int defaultPort) {
        String authority = text.split("[/?]", 2)[0];
        return HostPort.parse(authority, defaultPort);
    }

    private static void answers(String what, HostPort at, String fix) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(at.host(), at.port()), 2000);
        } catch (IOException e) {
            throw new UsageError(what + " does not answer at " + at + ": " + fix);
        }
    }
}
