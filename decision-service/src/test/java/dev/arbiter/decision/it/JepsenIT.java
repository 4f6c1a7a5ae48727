package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.decision.testing.PrivateStores;
import dev.arbiter.decision.testing.RealDependencies;
import dev.arbiter.decision.testing.TcpProxy;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A Jepsen-style run (bench/jepsen.sh; not in mvn verify): clients decide on many series and report outcomes while a
 * nemesis, on a seeded schedule (a fault every 6 to 14 s), kills feature-service, model-service or decision-service
 * with SIGKILL (each started
 * again, its address kept by a TCP proxy), crash-restarts PostgreSQL, or kills Redis and starts an empty one (the risk
 * state is lost and rebuilt from the log). PostgreSQL and Redis are private to the run (PrivateStores). Then the
 * checker:
 * <ol>
 *   <li>every acknowledged decision id is in the log, and every observation (series, time) is logged exactly once;</li>
 *   <li>no decision exists for a refused observation (the clients send invalid ones, which must be refused);</li>
 *   <li>the exposure cap is never exceeded: Redis' open exposure, sampled all along, stays under risk.max_total_exposure,
 *       the open exposure replayed from the log (acted decisions in order, minus settled outcomes) too, and at the end
 *       Redis holds exactly what the log says is open.</li>
 * </ol>
 * Sizes: -Djepsen.series (410) x 249 MSFT observations (at least 100,000 decisions), -Djepsen.clients (8), -Djepsen.seed.
 */
class JepsenIT {

    static final double CAP = 1.0; // risk.max_total_exposure, the default
    static final double TOLERANCE = 1e-6;

    record Acked(String id, String series, long ts, int direction, double size, long decidedMicros, boolean degraded) {}

    /** A fault, and when the nemesis had it done (the process started again, the store back), in epoch micros. */
    record Fault(String kind, long doneMicros) {}

    @Test
    void killsAndRestartsUnderLoadLoseNothingAcknowledgedAndNeverPassTheCap() throws Exception {
        int seriesCount = Integer.getInteger("jepsen.series", 410);
        int clients = Integer.getInteger("jepsen.clients", 8);
        long seed = Long.getLong("jepsen.seed", 22L);
        String run = UUID.randomUUID().toString();
        Path dir = Path.of("target/jepsen-" + run);
        String database = "jepsen";
        try (PrivateStores stores = PrivateStores.start(dir.resolve("stores"), 5544, 6544, database)) {
            Map<String, String> common = Map.of(
                    "quarkus.datasource.jdbc.url", stores.jdbc(database),
                    "quarkus.redis.hosts", "redis://127.0.0.1:" + stores.redisPort);
            Map<String, String> featureConfig = new HashMap<>(Map.of(
                    "arbiter.features.snapshot.key-prefix", "arbiter-jepsen:features:",
                    "arbiter.features.snapshot.ttl", "10m",
                    "arbiter.features.log.dir", dir.toAbsolutePath().resolve("feature-log").toString()));
            featureConfig.putAll(common);
            Restartable features = new Restartable("feature-service.runner", "jepsen-feature-service", featureConfig);
            Map<String, String> modelConfig = new HashMap<>(RealDependencies.modelService(run, features.proxy.port(), true));
            modelConfig.putAll(common);
            modelConfig.put("arbiter.models.redis-prefix", "arbiter-jepsen:models:");
            Restartable models = new Restartable("model-service.runner", "jepsen-model-service", modelConfig);
            modelConfig.remove("quarkus.flyway.clean-at-start"); // a restarted model-service keeps its models
            MsftModels.deployConstant(models.process.channel, 0.8);
            Map<String, String> decisionConfig = new HashMap<>(RealDependencies.clientConfig(features.proxy.port(), models.proxy.port()));
            decisionConfig.putAll(common);
            decisionConfig.put("arbiter.decision.redis-prefix", "arbiter-jepsen:decision:");
            decisionConfig.put("arbiter.decision.log.spool-dir", dir.toAbsolutePath().resolve("spool").toString());
            Restartable decisions = new Restartable("decision-service.runner", "jepsen-decision-service", decisionConfig);
            try {
                Result result = load(decisions, features, models, stores, seriesCount, clients, seed, run);
                check(result, stores.jdbc(database), stores.redisPort, run, dir);
            } finally {
                decisions.close();
                models.close();
                features.close();
            }
        }
    }

    /** {@code x} for a %.6f cell: a sum that rounds to zero is 0 (not "-0.000000"). */
    static double printable(double x) {
        return Math.abs(x) < 5e-7 ? 0 : x;
    }

    /** A service process behind a proxy that keeps its address across restarts. */
    static final class Restartable implements AutoCloseable {
        final String runner;
        final String name;
        final Map<String, String> config;
        volatile ServiceProcess process;
        final TcpProxy proxy;

        Restartable(String runner, String name, Map<String, String> config) {
            this.runner = runner;
            this.name = name;
            this.config = config;
            this.process = ServiceProcess.start(runner, name, config);
            this.proxy = new TcpProxy(process.grpcPort);
        }

        void killAndRestart() {
            process.kill();
            process = ServiceProcess.start(runner, name, config);
            proxy.retarget(process.grpcPort);
        }

        @Override
        public void close() {
            process.close();
            proxy.close();
        }
    }

    record Result(Map<String, Acked> acked, Set<String> refused, List<Fault> faults, long unknown, double maxRedisExposure,
                  long seconds) {}

    static Result load(Restartable decisions, Restartable features, Restartable models, PrivateStores stores, int seriesCount,
                       int clients, long seed, String run) throws Exception {
        List<Msft.Row> rows = Msft.rows();
        Map<String, Acked> acked = new ConcurrentHashMap<>();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        List<Fault> faults = new ArrayList<>();
        AtomicLong unknown = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        double[] maxExposure = {0};
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", decisions.proxy.port()).usePlaintext().build();
        ExecutorService pool = Executors.newFixedThreadPool(clients + 2);
        long start = System.nanoTime();
        try {
            // the nemesis: a fault every 6 to 14 s, chosen and timed by the seed
            Future<?> nemesis = pool.submit(() -> {
                Random r = new Random(seed);
                while (!done.get()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(6_000 + r.nextInt(8_000))); // the schedule itself
                    if (done.get()) {
                        break;
                    }
                    String fault = List.of("kill decision-service", "kill feature-service", "kill model-service",
                            "restart PostgreSQL", "restart Redis").get(r.nextInt(5));
                    try {
                        switch (fault) {
                            case "kill decision-service" -> decisions.killAndRestart();
                            case "kill feature-service" -> features.killAndRestart();
                            case "kill model-service" -> models.killAndRestart();
                            case "restart PostgreSQL" -> stores.restartPostgres();
                            default -> stores.restartRedis();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(fault + " failed", e);
                    }
                    synchronized (faults) {
                        faults.add(new Fault(fault, dev.arbiter.service.ObservationTimes.nowMicros()));
                    }
                }
                return null;
            });
            // Redis' open exposure, sampled
            Future<?> sampler = pool.submit(() -> {
                while (!done.get()) {
                    double e = redisExposure(stores.redisPort);
                    synchronized (maxExposure) {
                        maxExposure[0] = Math.max(maxExposure[0], e);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // the sampling period
                }
                return null;
            });
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                workers.add(pool.submit(() -> {
                    Random r = new Random(seed * 31 + client);
                    DecisionServiceBlockingStub stub = DecisionServiceGrpc.newBlockingStub(channel);
                    List<String> mine = new ArrayList<>();
                    for (int s = client; s < seriesCount; s += clients) {
                        mine.add("jepsen-" + run + "-" + s);
                    }
                    for (int i = 0; i < rows.size(); i++) {
                        for (String series : mine) {
                            Observation o = rows.get(i).observation(series);
                            if (r.nextInt(50) == 0) { // an invalid observation: must be refused, and never decided
                                Observation bad = o.toBuilder().setTsMicros(o.getTsMicros() + 1).setValue(Double.NaN).build();
                                try {
                                    stub.withDeadlineAfter(10, TimeUnit.SECONDS).decide(DecideRequest.newBuilder().setObservation(bad).build());
                                    throw new AssertionError("a NaN observation was decided");
                                } catch (StatusRuntimeException e) {
                                    if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                                        refused.add(series + "@" + bad.getTsMicros());
                                    }
                                }
                            }
                            Decision d = decideWithRetries(stub, o);
                            if (d == null) {
                                unknown.incrementAndGet();
                                continue;
                            }
                            acked.put(d.getDecisionId(), new Acked(d.getDecisionId(), series, o.getTsMicros(),
                                    d.getDirection() == Direction.DIRECTION_LONG ? 1 : d.getDirection() == Direction.DIRECTION_SHORT ? -1 : 0,
                                    d.getSize(), d.getDecidedTsMicros(), d.getDegraded()));
                            if (d.getSize() > 0 && !d.getDuplicate()) { // every action is settled, so the exposure keeps moving under the cap
                                reportWithRetries(stub, d.getDecisionId(), (r.nextDouble() - 0.45) * 0.04);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(4, TimeUnit.HOURS);
            }
            done.set(true);
            nemesis.get(5, TimeUnit.MINUTES);
            sampler.get(1, TimeUnit.MINUTES);
        } finally {
            done.set(true);
            pool.shutdownNow();
            channel.shutdownNow();
        }
        return new Result(acked, refused, faults, unknown.get(), maxExposure[0], TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
    }

    /** A client that retries while a service is down: the same observation again answers the decision logged for it. */
    static Decision decideWithRetries(DecisionServiceBlockingStub stub, Observation o) {
        for (int attempt = 0; attempt < 240; attempt++) {
            try {
                return stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(1_000).build());
            } catch (StatusRuntimeException e) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250)); // a client's back-off while the service restarts
            }
        }
        return null;
    }

    static void reportWithRetries(DecisionServiceBlockingStub stub, String decisionId, double realisedReturn) {
        for (int attempt = 0; attempt < 240; attempt++) {
            try {
                OutcomeStatus s = stub.withDeadlineAfter(10, TimeUnit.SECONDS).reportOutcome(ReportOutcomeRequest.newBuilder()
                        .setDecisionId(decisionId).setRealisedReturn(realisedReturn).build()).getStatus();
                if (s == OutcomeStatus.OUTCOME_STATUS_JOINED || s == OutcomeStatus.OUTCOME_STATUS_DUPLICATE) {
                    return;
                }
            } catch (StatusRuntimeException e) {
                // UNAVAILABLE while a dependency restarts, the risk state is rebuilt, or the decision is still spooled
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250)); // back-off
        }
    }

    static double redisExposure(int port) {
        try {
            Process p = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "HGET", "arbiter-jepsen:decision:risk:{portfolio}", "exposure")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out.matches("-?\\d+") ? Long.parseLong(out) / 1e9 : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    static void check(Result result, String jdbc, int redisPort, String run, Path dir) throws Exception {
        // 1. every acknowledged id logged, each observation once (the spools drain after the last restart)
        Set<String> ids = result.acked().keySet();
        LoggedDecisions logged = LoggedDecisions.await(jdbc, "jepsen-" + run + "-%", ids);
        Set<String> missing = logged.missing(ids);
        Map<String, Long> duplicated = logged.duplicated();
        // 2. no decision for a refused observation
        List<String> decidedRefused = new ArrayList<>();
        for (String key : result.refused()) {
            if (logged.rowsPerObservation().containsKey(key)) {
                decidedRefused.add(key);
            }
        }
        // 3. the cap: the open exposure replayed from the log, and Redis' at the end
        double maxLogged = 0;
        double openAtEnd = 0;
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
                PreparedStatement ps = c.prepareStatement("SELECT t, delta FROM ("
                        + " SELECT decided_ts_micros AS t, abs(size) AS delta FROM decision.decision WHERE series_id LIKE ? AND direction <> 0"
                        + " UNION ALL SELECT reported_ts_micros, -abs(size) FROM decision.decision WHERE series_id LIKE ? AND direction <> 0"
                        + " AND outcome_status = 1) e ORDER BY t, delta")) {
            ps.setString(1, "jepsen-" + run + "-%");
            ps.setString(2, "jepsen-" + run + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                double open = 0;
                while (rs.next()) {
                    open += rs.getDouble(2);
                    maxLogged = Math.max(maxLogged, open);
                }
                openAtEnd = open;
            }
        }
        // LATE outcomes never settle, so they stay open in both
        double redisAtEnd = 0;
        for (int attempt = 0; attempt < 100; attempt++) { // the last Redis restart may still be rebuilding
            redisAtEnd = redisExposure(redisPort);
            if (Math.abs(redisAtEnd - openAtEnd) < TOLERANCE) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // poll the rebuild
        }
        long acted = result.acked().values().stream().filter(a -> a.size() > 0).count();
        // recovery: from a fault's end to the first whole (undegraded) decision after it
        List<Acked> byTime = result.acked().values().stream().sorted(java.util.Comparator.comparingLong(Acked::decidedMicros)).toList();
        Map<String, List<Long>> recovery = new TreeMap<>();
        for (Fault f : result.faults()) {
            byTime.stream().filter(a -> a.decidedMicros() >= f.doneMicros() && !a.degraded()).findFirst()
                    .ifPresent(a -> recovery.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(a.decidedMicros() - f.doneMicros()));
        }
        StringBuilder recoveries = new StringBuilder();
        long worst = 0;
        for (Map.Entry<String, List<Long>> e : recovery.entrySet()) {
            List<Long> v = e.getValue().stream().sorted().toList();
            worst = Math.max(worst, v.get(v.size() - 1));
            recoveries.append(String.format("%s: %d, median %.2f s, max %.2f s; ", e.getKey(), v.size(), v.get(v.size() / 2) / 1e6,
                    v.get(v.size() - 1) / 1e6));
        }
        Map<String, Long> faultCounts = new TreeMap<>();
        result.faults().forEach(f -> faultCounts.merge(f.kind(), 1L, Long::sum));
        long degraded = result.acked().values().stream().filter(Acked::degraded).count();
        // degraded decisions are answered about three times faster than whole ones, so their count overstates the
        // time spent degraded: the seconds that had a whole decision say how long the system was whole
        long wholeSeconds = result.acked().values().stream().filter(a -> !a.degraded()).mapToLong(a -> a.decidedMicros() / 1_000_000).distinct().count();
        String report = String.format("""
                #### Jepsen-style run (`bench/jepsen.sh`, %s)

                | | |
                | --- | --- |
                | decisions acknowledged | %,d (%,d acted, %,d degraded) over %d s |
                | seconds with a whole (undegraded) decision | %,d |
                | observations given up by the clients (240 tries, 60 s) | %,d |
                | faults | %s |
                | first whole decision after each fault (number, median, max) | %s |
                | refused observations (NaN, must never be decided) | %,d |
                | 1. acknowledged ids missing from the log | %d |
                | 1. observations logged more than once | %d |
                | 2. refused observations with a decision | %d |
                | 3. highest open exposure: Redis (sampled every 100 ms) / replayed from the log / cap | %.6f / %.6f / %.1f |
                | 3. open exposure at the end: Redis / log | %.6f / %.6f |
                """, java.time.Instant.now(), ids.size(), acted, degraded, result.seconds(), wholeSeconds, result.unknown(), faultCounts, recoveries,
                result.refused().size(), missing.size(), duplicated.size(), decidedRefused.size(), result.maxRedisExposure(), maxLogged, CAP,
                printable(redisAtEnd), printable(openAtEnd));
        Files.writeString(dir.resolve("jepsen-report.md"), report);
        Files.writeString(Path.of("target/jepsen-report.md"), report);
        System.out.println(report);
        assertTrue(missing.isEmpty(), missing.size() + " acknowledged decisions missing, e.g. " + missing.stream().limit(5).toList());
        assertTrue(duplicated.isEmpty(), "logged more than once: " + duplicated.entrySet().stream().limit(5).toList());
        assertTrue(decidedRefused.isEmpty(), "refused observations with a decision: " + decidedRefused);
        assertTrue(result.maxRedisExposure() <= CAP + TOLERANCE, "Redis exposure " + result.maxRedisExposure());
        assertTrue(maxLogged <= CAP + TOLERANCE, "open exposure replayed from the log " + maxLogged);
        assertEquals(openAtEnd, redisAtEnd, TOLERANCE, "Redis holds what the log says is open");
        assertTrue(result.faults().size() >= 5, "faults: " + faultCounts);
        // a dependency back from a restart is used again at once (DependencyGuard asks its channel to reconnect), not
        // after gRPC's reconnect backoff of up to two minutes
        assertTrue(worst <= 30_000_000, "recovery after a fault: " + recoveries);
    }
}
