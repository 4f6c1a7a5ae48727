package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.decision.testing.RealDependencies;
import dev.arbiter.decision.testing.TcpProxy;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.service.replicas.ReplicaNameResolver;
import dev.arbiter.service.replicas.ReplicaSource;
import dev.arbiter.service.replicas.Replicas;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A zero-downtime rolling upgrade, on processes: two replicas each of feature-service, model-service and
 * decision-service of an older build ({@code -Dupgrade.from=ROOT}: a checkout whose three services are packaged) run
 * under constant Decide load, and each replica is replaced, one at a time, by this build, whose decision-service adds a
 * schema migration. The test plays Kubernetes: an endpoints controller lists the ready, not terminating replicas of each
 * service in the membership files decision-service and the clients read (as a headless Service does); feature-service
 * and model-service are Deployments (surge: the new replica is started and ready before the old one is stopped),
 * decision-service a StatefulSet (the old replica stops, then the new one starts on the same spool). A replica is stopped
 * as a pod is: it leaves the endpoints and gets SIGTERM; its readiness must answer 503 while it still serves (the
 * shutdown delay). Unary Decide clients use one round-robin channel over the decision replicas; DecideStream clients
 * hold a stream on one replica and, when it leaves the endpoints, half-close, take every answer, and open the next
 * stream on a replica that is listed.
 *
 * <p>Expected: 0 failed calls, every acknowledged decision in PostgreSQL exactly once, no degraded decision outside a
 * drain window, every series' features continuing bit for bit across the moves, the migration applied while the older
 * replicas served. Not part of {@code mvn verify} (it needs the older build): {@code bench/rolling-upgrade.sh} builds
 * one and runs this test; its results are in bench/README.md.
 */
class RollingUpgradeIT {

    /** Unary Decide series; each sends its next observation every {@link #PERIOD} once the previous one is answered. */
    static final int SERIES = 48;
    /** DecideStream series, one stream each. */
    static final int STREAM_SERIES = 4;
    static final Duration PERIOD = Duration.ofMillis(500);
    /** Quarkus' shutdown delay of every replica: readiness 503, RPCs still served. */
    static final String SHUTDOWN_DELAY = "3s";
    /** How often the endpoints controller reads readiness and the services read their membership files. */
    static final Duration REFRESH = Duration.ofMillis(100);
    /** Decisions answered between two steps of the upgrade, so every mix of versions serves load. */
    static final int DECISIONS_PER_STEP = 600;
    static final String DATABASE = "arbiter_upgrade";

    enum Role {
        FEATURES("feature-service"), MODELS("model-service"), DECISIONS("decision-service");

        final String module;

        Role(String module) {
            this.module = module;
        }
    }

    /** One replica: its process, its build, and from when to when it was stopping. */
    static final class Replica {
        final Role role;
        final String name;
        final String build;
        final ServiceProcess process;
        volatile boolean terminating;
        volatile long sigtermNanos;
        volatile long exitedNanos;
        volatile int readinessAfterSigterm;
        /** Decisions it made (read before SIGTERM, or at the end). */
        volatile long decided;

        Replica(Role role, String name, String build, ServiceProcess process) {
            this.role = role;
            this.name = name;
            this.build = build;
            this.process = process;
        }

        String member() {
            return "127.0.0.1:" + process.grpcPort;
        }
    }

    record Call(String series, int step, long startNanos, long endNanos, Status.Code code, String description, Decision decision) {}

    private final Path work = Path.of("target", "rolling-upgrade-" + UUID.randomUUID().toString().substring(0, 8));
    private final List<Replica> replicas = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final AtomicLong answered = new AtomicLong();
    /** DecideStream calls opened: one per stream client at start, and one more each time its replica left. */
    private final AtomicLong streamsOpened = new AtomicLong();
    private final AtomicBoolean loading = new AtomicBoolean(true);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @Test
    void everyReplicaReplacedUnderLoadWithNothingFailedLostOrDegradedOutsideItsDrain() throws Exception {
        String from = System.getProperty("upgrade.from");
        assertTrue(from != null && !from.isBlank(), "set -Dupgrade.from to the root of a checkout with its services packaged"
                + " (bench/rolling-upgrade.sh does)");
        Path oldRoot = Path.of(from).toAbsolutePath();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Files.createDirectories(work);
        recreateDatabase();
        ExecutorService pool = Executors.newCachedThreadPool();
        Replicas decisionMembers = null;
        ManagedChannel roundRobin = null;
        TcpProxy featureService = null;
        try {
            // The older build, as a release runs before `helm upgrade`.
            Replica featuresA = start(Role.FEATURES, "features-a", oldRoot, run, 0);
            Replica featuresB = start(Role.FEATURES, "features-b", oldRoot, run, 0);
            featureService = new TcpProxy(featuresA.process.grpcPort); // the ClusterIP Service model-service asks for the schema
            Replica modelsA = start(Role.MODELS, "models-a", oldRoot, run, featureService.port());
            MsftModels.deploy(modelsA.process.channel);
            Replica modelsB = start(Role.MODELS, "models-b", oldRoot, run, featureService.port());
            publishEndpoints();
            Replica decisions0 = start(Role.DECISIONS, "decisions-0", oldRoot, run, 0);
            Replica decisions1 = start(Role.DECISIONS, "decisions-1", oldRoot, run, 0);
            publishEndpoints();
            int schemaBefore = decisionSchemaVersion();
            Future<?> controller = pool.submit(this::endpointsController);

            decisionMembers = new Replicas("decision-service", ReplicaSource.parse("file:" + endpoints(Role.DECISIONS).toAbsolutePath()), REFRESH);
            roundRobin = ManagedChannelBuilder.forTarget("arbiter-replicas:///decision-service")
                    .nameResolverFactory(ReplicaNameResolver.factory(decisionMembers))
                    .defaultLoadBalancingPolicy("round_robin").usePlaintext().build();
            List<Future<?>> load = new ArrayList<>();
            for (int s = 0; s < SERIES; s++) {
                String series = "upgrade-" + run + "-" + s;
                ManagedChannel channel = roundRobin;
                load.add(pool.submit(() -> unaryClient(channel, series)));
            }
            Map<String, ManagedChannel> byMember = new ConcurrentHashMap<>();
            for (int s = 0; s < STREAM_SERIES; s++) {
                String series = "upgrade-" + run + "-stream-" + s;
                Replicas members = decisionMembers;
                load.add(pool.submit(() -> streamClient(members, byMember, series)));
            }
            awaitAnswered(DECISIONS_PER_STEP);

            // helm upgrade: the Deployments surge one replica at a time, then the StatefulSet replaces from the
            // highest ordinal down.
            List<String> steps = new ArrayList<>();
            surge(featuresA, "features-c", run, featureService);
            steps.add("feature-service a -> c");
            surge(featuresB, "features-d", run, featureService);
            steps.add("feature-service b -> d");
            surge(modelsA, "models-c", run, featureService);
            steps.add("model-service a -> c");
            surge(modelsB, "models-d", run, featureService);
            steps.add("model-service b -> d");
            replaceInPlace(decisions1, run);
            steps.add("decision-service 1 (migration V5 at start)");
            int schemaDuring = decisionSchemaVersion();
            replaceInPlace(decisions0, run);
            steps.add("decision-service 0");

            loading.set(false);
            for (Future<?> f : load) {
                f.get(120, TimeUnit.SECONDS);
            }
            controller.cancel(true);
            for (Replica r : replicas) {
                if (r.role == Role.DECISIONS && r.sigtermNanos == 0) {
                    r.decided = decided(r);
                }
            }

            List<Call> all = new ArrayList<>(calls);
            Report report = new Report(all, List.copyOf(replicas), schemaBefore, schemaDuring, steps, streamsOpened.get());
            report.write(work.resolve("report.md"));
            System.out.println(report.text());

            assertEquals(List.of(), report.failed(), "failed calls (time relative to the drain of the replica stopping then)");
            assertEquals(List.of(), report.degradedOutsideDrains(), "degraded decisions outside every drain window");
            for (Replica r : replicas) {
                if (r.sigtermNanos != 0) {
                    assertEquals(503, r.readinessAfterSigterm, r.name + ": readiness answered NOT_SERVING (503) after SIGTERM while it served");
                }
            }
            assertTrue(schemaBefore < schemaDuring, "the newer decision-service migrated the schema (" + schemaBefore + " -> " + schemaDuring
                    + ") while an older replica served");
            for (Replica r : replicas) {
                if (r.role == Role.DECISIONS) {
                    assertTrue(r.decided > 0, r.name + " (" + r.build + " build) decided nothing: the load did not reach it");
                }
            }
            Set<String> acknowledged = all.stream().filter(c -> c.decision() != null).map(c -> c.decision().getDecisionId())
                    .collect(Collectors.toSet());
            LoggedDecisions logged = LoggedDecisions.await(DATABASE, "upgrade-" + run + "-%", acknowledged);
            assertEquals(Set.of(), logged.missing(acknowledged), "acknowledged decisions not in PostgreSQL");
            assertEquals(Map.of(), logged.duplicated(), "observations logged more than once (series@ts -> rows)");
            assertFeaturesContinue(all);
        } finally {
            loading.set(false);
            pool.shutdownNow();
            if (roundRobin != null) {
                roundRobin.shutdownNow();
            }
            if (decisionMembers != null) {
                decisionMembers.close();
            }
            for (int i = replicas.size() - 1; i >= 0; i--) {
                replicas.get(i).process.close();
            }
            if (featureService != null) {
                featureService.close();
            }
        }
    }

    // --- the release, as Kubernetes runs it ---

    /**
     * Starts a replica of the older build (from the checkout at {@code oldRoot}) or, with {@code oldRoot} null, of this
     * one (the runner jars failsafe names); {@code featureService} is the port model-service asks for the schema.
     */
    private Replica start(Role role, String name, Path oldRoot, String run, int featureService) {
        Path jar = oldRoot != null ? oldRoot.resolve(role.module).resolve("target/quarkus-app/quarkus-run.jar")
                : Path.of(System.getProperty(role.module + ".runner", "target/quarkus-app/quarkus-run.jar"));
        String build = oldRoot != null ? "old" : "new";
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
        config.put("quarkus.shutdown.delay", SHUTDOWN_DELAY);
        switch (role) {
            case FEATURES -> config.putAll(RealDependencies.shardedFeatureService(run));
            case MODELS -> {
                config.putAll(RealDependencies.modelService(run, featureService, false));
                config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
            }
            case DECISIONS -> {
                config.put("arbiter.decision.redis-prefix", "arbiter-it:upgrade:" + run + ":");
                config.put("arbiter.decision.replicas.features", "file:" + endpoints(Role.FEATURES).toAbsolutePath());
                config.put("arbiter.decision.replicas.models", "file:" + endpoints(Role.MODELS).toAbsolutePath());
                config.put("arbiter.decision.replicas.refresh", REFRESH.toMillis() + "ms");
                // one volume per ordinal, kept by the replica that replaces it
                config.put("arbiter.decision.log.spool-dir", work.resolve("spool-" + name).toAbsolutePath().toString());
            }
        }
        ServiceProcess p = ServiceProcess.start(jar, "rolling-upgrade-" + name + "-" + build, config);
        Replica r = new Replica(role, name, build, p);
        replicas.add(r);
        return r;
    }

    /** A Deployment's step with maxSurge 1, maxUnavailable 0: the new replica ready and listed, then the old one stopped. */
    private Replica surge(Replica old, String name, String run, TcpProxy featureService) throws Exception {
        Replica fresh = start(old.role, name, null, run, featureService.port());
        awaitListed(fresh);
        if (old.role == Role.FEATURES && featureService.target() == old.process.grpcPort) {
            featureService.retarget(fresh.process.grpcPort); // the Service's endpoints no longer hold the old pod
        }
        terminate(old);
        awaitAnswered(answered.get() + DECISIONS_PER_STEP);
        return fresh;
    }

    /** A StatefulSet's step: the old replica stopped, then the new one started on the same volume (spool). */
    private void replaceInPlace(Replica old, String run) throws Exception {
        terminate(old);
        Replica fresh = start(Role.DECISIONS, old.name, null, run, 0);
        awaitListed(fresh);
        awaitAnswered(answered.get() + DECISIONS_PER_STEP);
    }

    /** As a pod is deleted: out of the endpoints and SIGTERM at once; readiness polled until it is not 200; the exit. */
    private void terminate(Replica r) throws Exception {
        if (r.role == Role.DECISIONS) {
            r.decided = decided(r);
        }
        URI ready = URI.create("http://127.0.0.1:" + r.process.httpPort + "/q/health/ready");
        r.terminating = true;
        publishEndpoints();
        r.sigtermNanos = System.nanoTime();
        Thread stopper = new Thread(r.process::stop, "sigterm-" + r.name);
        stopper.start();
        int status;
        while ((status = readiness(ready)) == 200) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // between polls of readiness
        }
        r.readinessAfterSigterm = status;
        stopper.join(TimeUnit.SECONDS.toMillis(90));
        assertTrue(!stopper.isAlive(), r.name + " did not exit within 90 s of SIGTERM");
        r.exitedNanos = System.nanoTime();
    }

    /** The endpoints controller: every {@link #REFRESH}, the ready and not terminating replicas of each service listed. */
    private Void endpointsController() throws Exception {
        while (!Thread.currentThread().isInterrupted()) {
            publishEndpoints();
            LockSupport.parkNanos(REFRESH.toNanos()); // the controller's period
        }
        return null;
    }

    private synchronized void publishEndpoints() throws Exception {
        for (Role role : Role.values()) {
            StringBuilder b = new StringBuilder("# ready " + role.module + " replicas\n");
            for (Replica r : replicas) {
                if (r.role == role && !r.terminating && r.exitedNanos == 0
                        && readiness(URI.create("http://127.0.0.1:" + r.process.httpPort + "/q/health/ready")) == 200) {
                    b.append(r.member()).append('\n');
                }
            }
            Path file = endpoints(role);
            if (Files.exists(file) && Files.readString(file).contentEquals(b)) {
                continue;
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, b);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path endpoints(Role role) {
        return work.resolve(role.module + ".members");
    }

    private void awaitListed(Replica r) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(endpoints(r.role)).contains(r.member() + "\n")) {
            assertTrue(System.nanoTime() < end, r.name + " not listed within 60 s of being ready");
            LockSupport.parkNanos(REFRESH.toNanos()); // the controller's period
        }
        LockSupport.parkNanos(REFRESH.toNanos() * 3); // the readers' refresh period, thrice
    }

    private void awaitAnswered(long count) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (answered.get() < count) {
            assertTrue(System.nanoTime() < end, "only " + answered.get() + " of " + count + " decisions answered in 300 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // between polls of the count
        }
    }

    // --- the clients ---

    /** One series through the round-robin channel: step k due at k periods, sent once step k-1 is answered. */
    private Void unaryClient(ManagedChannel channel, String series) {
        long t0 = System.nanoTime() + Math.floorMod(series.hashCode(), (int) PERIOD.toMillis()) * 1_000_000L;
        for (int step = 0; loading.get(); step++) {
            parkUntil(t0 + step * PERIOD.toNanos());
            long start = System.nanoTime();
            try {
                Decision d = DecisionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .decide(request(series, step));
                record(new Call(series, step, start, System.nanoTime(), Status.Code.OK, null, d));
            } catch (StatusRuntimeException e) {
                record(new Call(series, step, start, System.nanoTime(), e.getStatus().getCode(), e.getStatus().getDescription(), null));
            }
        }
        return null;
    }

    /**
     * One series over DecideStream, one request answered at a time: the stream stays on the replica it was opened to
     * until that replica leaves the endpoints; then it is half-closed, drained, and the next one opened on a listed
     * replica.
     */
    private Void streamClient(Replicas members, Map<String, ManagedChannel> channels, String series) throws Exception {
        long t0 = System.nanoTime();
        int step = 0;
        int attempt = 0;
        while (loading.get()) {
            List<String> listed = members.members();
            String member = listed.get(Math.floorMod(series.hashCode() + attempt++, listed.size()));
            ManagedChannel channel = channels.computeIfAbsent(member, m -> ManagedChannelBuilder.forTarget(m).usePlaintext().build());
            BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
            streamsOpened.incrementAndGet();
            StreamObserver<DecideRequest> requests = DecisionServiceGrpc.newStub(channel).decideStream(new StreamObserver<>() {
                @Override
                public void onNext(DecideStreamResponse r) {
                    answers.add(r);
                }

                @Override
                public void onError(Throwable t) {
                    answers.add(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                    answers.add(Boolean.TRUE);
                }
            });
            Object ended = null;
            while (loading.get() && members.members().contains(member)) {
                parkUntil(t0 + step * PERIOD.toNanos());
                long start = System.nanoTime();
                requests.onNext(request(series, step));
                Object a = answers.poll(30, TimeUnit.SECONDS);
                if (a instanceof DecideStreamResponse r && r.hasDecision()) {
                    record(new Call(series, step, start, System.nanoTime(), Status.Code.OK, null, r.getDecision()));
                } else {
                    record(new Call(series, step, start, System.nanoTime(), a instanceof Status s ? s.getCode() : Status.Code.UNKNOWN,
                            "stream on " + member + ": " + a, null));
                    if (a instanceof Status || a == null || Boolean.TRUE.equals(a)) {
                        ended = a;
                        step++;
                        break; // the stream ended: open another
                    }
                }
                step++;
            }
            if (ended != null) {
                continue; // failed and recorded: nothing to drain
            }
            requests.onCompleted();
            Object end = answers.poll(30, TimeUnit.SECONDS);
            if (!Boolean.TRUE.equals(end) && !(end instanceof Status)) {
                record(new Call(series, step, System.nanoTime(), System.nanoTime(), Status.Code.UNKNOWN,
                        "stream on " + member + " did not complete after its half-close: " + end, null));
            } else if (end instanceof Status s && !s.isOk()) {
                record(new Call(series, step, System.nanoTime(), System.nanoTime(), s.getCode(), "stream on " + member
                        + " ended with an error after its half-close: " + s, null));
            }
        }
        return null;
    }

    private void record(Call c) {
        calls.add(c);
        if (c.code() == Status.Code.OK) {
            answered.incrementAndGet();
        }
    }

    private static void parkUntil(long nanos) {
        for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
            LockSupport.parkNanos(left); // the client's schedule
        }
    }

    /** Step k of a series: the MSFT days, then again from the start one year on, scaled to continue the last close. */
    static DecideRequest request(String series, int step) {
        List<Msft.Row> rows = Msft.rows();
        int cycle = step / rows.size();
        Msft.Row row = rows.get(step % rows.size());
        long span = rows.get(rows.size() - 1).tsMicros() - rows.get(0).tsMicros() + 86_400_000_000L;
        double scale = Math.pow(rows.get(rows.size() - 1).close() / rows.get(0).open(), cycle);
        Observation o = Observation.newBuilder().setSeriesId(series).setTsMicros(row.tsMicros() + cycle * span)
                .setValue(row.close() * scale).setOpen(row.open() * scale).setHigh(row.high() * scale)
                .setLow(row.low() * scale).setVolume(row.volume()).build();
        return DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5_000).build();
    }

    // --- the checks ---

    /** Every decision's features equal one uninterrupted pipeline's over the same observations, series by series. */
    private static void assertFeaturesContinue(List<Call> all) {
        Map<String, Map<Integer, Decision>> bySeries = new HashMap<>();
        for (Call c : all) {
            if (c.decision() != null) {
                bySeries.computeIfAbsent(c.series(), k -> new HashMap<>()).put(c.step(), c.decision());
            }
        }
        for (Map.Entry<String, Map<Integer, Decision>> e : bySeries.entrySet()) {
            FeaturePipeline pipeline = new FeaturePipeline(FeatureConfig.defaults());
            double[] expected = new double[pipeline.size()];
            int steps = e.getValue().keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            for (int step = 0; step < steps; step++) {
                Observation o = request(e.getKey(), step).getObservation();
                pipeline.update(o.getTsMicros(), o.getOpen(), o.getHigh(), o.getLow(), o.getValue(), o.getVolume(), expected, 0);
                Decision d = e.getValue().get(step);
                if (d == null) {
                    continue; // a failed call, reported above
                }
                List<Double> got = d.getFeatures().getValuesList();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(got.get(i)),
                            "series " + e.getKey() + " step " + step + " feature " + i);
                }
            }
        }
    }

    private static void recreateDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    private static int decisionSchemaVersion() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + DATABASE, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT max(version::int) FROM decision.flyway_schema_history WHERE success")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private int readiness(URI ready) {
        try {
            return http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1; // the port is closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The decisions a decision-service replica has made (its latency timer's count). */
    private long decided(Replica r) throws Exception {
        return (long) ReplicasIT.metric(r.process, "arbiter_decision_latency_seconds_count(\\{[^}]*\\})?");
    }

    /** What the run measured, as text and as a Markdown file in target/. */
    record Report(List<Call> calls, List<Replica> replicas, int schemaBefore, int schemaDuring, List<String> steps, long streamsOpened) {

        /** The drain window of a replica: from its SIGTERM to its exit, plus the clients' refresh. */
        boolean inDrain(long nanos) {
            for (Replica r : replicas) {
                if (r.sigtermNanos != 0 && nanos >= r.sigtermNanos && nanos <= r.exitedNanos + REFRESH.toNanos() * 10) {
                    return true;
                }
            }
            return false;
        }

        List<String> failed() {
            return calls.stream().filter(c -> c.code() != Status.Code.OK).map(c -> c.series() + " step " + c.step() + ": " + c.code()
                    + " " + c.description() + at(c.startNanos())).toList();
        }

        List<String> degradedOutsideDrains() {
            return calls.stream().filter(c -> c.decision() != null && c.decision().getDegraded() && !inDrain(c.startNanos()))
                    .map(c -> c.series() + " step " + c.step() + ": " + c.decision().getDegradedReason() + at(c.startNanos())).toList();
        }

        private String at(long nanos) {
            StringBuilder b = new StringBuilder();
            for (Replica r : replicas) {
                if (r.sigtermNanos != 0) {
                    b.append(String.format(" | %+d ms from %s's SIGTERM", (nanos - r.sigtermNanos) / 1_000_000, r.name + "/" + r.build));
                }
            }
            return b.toString();
        }

        String text() {
            long ok = calls.stream().filter(c -> c.decision() != null).count();
            long degraded = calls.stream().filter(c -> c.decision() != null && c.decision().getDegraded()).count();
            long first = calls.stream().mapToLong(Call::startNanos).min().orElse(0);
            long last = calls.stream().mapToLong(Call::endNanos).max().orElse(0);
            double seconds = (last - first) / 1e9;
            List<Long> latencies = calls.stream().filter(c -> c.decision() != null).map(c -> (c.endNanos() - c.startNanos()) / 1_000)
                    .sorted().toList();
            Map<String, String> lines = new LinkedHashMap<>();
            lines.put("steps", String.join("; ", steps));
            lines.put("load", String.format("%d series (%d unary over one round-robin channel, %d DecideStream), one observation each"
                    + " per %d ms: %.0f decisions/s over %.1f s", SERIES + STREAM_SERIES, SERIES, STREAM_SERIES, PERIOD.toMillis(),
                    ok / seconds, seconds));
            lines.put("decisions answered", Long.toString(ok));
            lines.put("DecideStream calls", streamsOpened + " opened by " + STREAM_SERIES + " clients (each drained and reopened"
                    + " on a listed replica when its replica left), every one completed normally");
            lines.put("failed calls", Integer.toString(failed().size()));
            lines.put("degraded decisions", degraded + " (" + degradedOutsideDrains().size() + " outside the drain windows)");
            lines.put("latency p50 / p99 / max (ms)", latencies.isEmpty() ? "-" : String.format("%.1f / %.1f / %.1f",
                    latencies.get(latencies.size() / 2) / 1e3, latencies.get((int) (latencies.size() * 0.99)) / 1e3,
                    latencies.get(latencies.size() - 1) / 1e3));
            lines.put("decision schema", "V" + schemaBefore + " before, V" + schemaDuring + " once the first new decision-service started");
            for (Replica r : replicas) {
                if (r.sigtermNanos == 0 && r.role == Role.DECISIONS) {
                    lines.put(r.name + " (" + r.build + ")", "decided " + r.decided);
                } else if (r.sigtermNanos != 0) {
                    lines.put(r.name + " (" + r.build + ")", String.format("readiness %d %s after SIGTERM; exited %d ms after SIGTERM%s",
                            r.readinessAfterSigterm, r.readinessAfterSigterm == 503 ? "(NOT_SERVING, still serving)" : "",
                            (r.exitedNanos - r.sigtermNanos) / 1_000_000,
                            r.role == Role.DECISIONS ? "; had decided " + r.decided : ""));
                }
            }
            StringBuilder b = new StringBuilder("RollingUpgradeIT\n");
            lines.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
            return b.toString();
        }

        void write(Path file) throws Exception {
            Files.writeString(file, text());
        }
    }
}
