package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.decision.testing.RealDependencies;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.ListSeriesRequest;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.service.replicas.Rendezvous;
import dev.arbiter.testing.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of each hot-path service on the loopback, with decisions flowing: feature-service shares its series
 * through Redis ({@code arbiter.features.sharded}) and decision-service spreads them over the replicas listed in a
 * file by rendezvous hashing; model-service is balanced by gRPC's round robin; each series alternates between the two
 * decision-service replicas. While the series run, one feature-service replica is taken out of the list and stopped,
 * and later a new one is started and listed: its share of series moves each time. Every decision is answered, none
 * degraded, every one is in the decision log exactly once, and every decision's features equal, bit for bit, those of
 * one uninterrupted pipeline over the same observations.
 */
class ReplicasIT {

    static final int SERIES = 24;
    static final int STEPS = 150;
    /** The second feature replica leaves once every series has passed this step ... */
    static final int LEAVE_AT = 60;
    /** ... and a new one is started while every series waits here, then listed once the series run again. */
    static final int REJOIN_AT = 100;

    @Test
    void decisionsKeepFlowingAndFeaturesContinueBitForBitWhileFeatureReplicasLeaveAndJoin() throws Exception {
        String run = UUID.randomUUID().toString();
        Map<String, String> featureConfig = RealDependencies.shardedFeatureService(run);
        Path members = Path.of("target", "replicas-it-features-" + run + ".txt");
        List<ServiceProcess> started = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(SERIES);
        try {
            ServiceProcess featuresA = track(started, ServiceProcess.start("feature-service.runner", "replicas-it-features-a", featureConfig));
            ServiceProcess featuresB = track(started, ServiceProcess.start("feature-service.runner", "replicas-it-features-b", featureConfig));
            Map<String, String> modelConfig = RealDependencies.modelService(run, featuresA.grpcPort, false);
            Map<String, String> firstModels = RealDependencies.modelService(run, featuresA.grpcPort, true);
            ServiceProcess modelsA = track(started, ServiceProcess.start("model-service.runner", "replicas-it-models-a", firstModels));
            MsftModels.deploy(modelsA.channel);
            ServiceProcess modelsB = track(started, ServiceProcess.start("model-service.runner", "replicas-it-models-b", modelConfig));

            writeMembers(members, featuresA, featuresB);
            Map<String, String> decisionConfig = new HashMap<>(Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                    "arbiter.decision.redis-prefix", "arbiter-it:decision:" + run + ":",
                    "arbiter.decision.replicas.features", "file:" + members.toAbsolutePath(),
                    "arbiter.decision.replicas.models", "127.0.0.1:" + modelsA.grpcPort + ",127.0.0.1:" + modelsB.grpcPort,
                    "arbiter.decision.replicas.refresh", "100ms"));
            Map<String, String> firstDecisions = new HashMap<>(decisionConfig);
            firstDecisions.put("quarkus.flyway.clean-disabled", "false");
            firstDecisions.put("quarkus.flyway.clean-at-start", "true");
            firstDecisions.put("arbiter.decision.log.spool-dir", "target/replicas-it-spool-a-" + run);
            ServiceProcess decisionsA = track(started, ServiceProcess.start("decision-service.runner", "replicas-it-decisions-a", firstDecisions));
            Map<String, String> secondDecisions = new HashMap<>(decisionConfig);
            secondDecisions.put("arbiter.decision.log.spool-dir", "target/replicas-it-spool-b-" + run);
            ServiceProcess decisionsB = track(started, ServiceProcess.start("decision-service.runner", "replicas-it-decisions-b", secondDecisions));
            List<ServiceProcess> deciders = List.of(decisionsA, decisionsB);

            List<List<Observation>> series = new ArrayList<>();
            for (int i = 0; i < SERIES; i++) {
                series.add(Msft.observations("replicas-" + run + "-" + i, STEPS));
            }
            CountDownLatch passedLeave = new CountDownLatch(SERIES);
            CountDownLatch atRejoin = new CountDownLatch(SERIES);
            CountDownLatch rejoined = new CountDownLatch(1);
            Map<String, Decision> answered = new ConcurrentHashMap<>();
            List<Future<?>> running = new ArrayList<>();
            for (List<Observation> s : series) {
                running.add(pool.submit(() -> {
                    for (int step = 0; step < STEPS; step++) {
                        if (step == LEAVE_AT) {
                            passedLeave.countDown();
                        }
                        if (step == REJOIN_AT) {
                            atRejoin.countDown();
                            rejoined.await();
                        }
                        ServiceProcess replica = deciders.get(step % 2);
                        Decision d = DecisionServiceGrpc.newBlockingStub(replica.channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                                .decide(DecideRequest.newBuilder().setObservation(s.get(step)).setLatencyBudgetMs(10_000).build());
                        answered.put(d.getDecisionId(), d);
                    }
                    return null;
                }));
            }

            // With decisions flowing: replica B leaves the list, and is stopped once both decision-services route
            // without it (as Kubernetes takes a terminating pod out of the headless Service before it stops).
            assertTrue(passedLeave.await(300, TimeUnit.SECONDS), "the series did not reach step " + LEAVE_AT);
            List<String> before = List.of(member(featuresA), member(featuresB));
            int movedAway = 0;
            for (List<Observation> s : series) {
                movedAway += Rendezvous.owner(s.get(0).getSeriesId(), before).equals(member(featuresB)) ? 1 : 0;
            }
            writeMembers(members, featuresA);
            awaitFeatureReplicas(deciders, 1);
            featuresB.stop();

            // A new replica (another address, as a new pod gets) joins while the series wait, then is listed with
            // the series running again.
            assertTrue(atRejoin.await(300, TimeUnit.SECONDS), "the series did not reach step " + REJOIN_AT);
            ServiceProcess featuresC = track(started, ServiceProcess.start("feature-service.runner", "replicas-it-features-c", featureConfig));
            rejoined.countDown();
            writeMembers(members, featuresA, featuresC);
            awaitFeatureReplicas(deciders, 2);
            for (Future<?> f : running) {
                f.get(600, TimeUnit.SECONDS);
            }

            // Every decision answered, none degraded, each in the log exactly once.
            assertEquals(SERIES * STEPS, answered.size(), "decisions answered");
            List<Decision> degraded = answered.values().stream().filter(Decision::getDegraded).toList();
            assertEquals(List.of(), degraded.stream().map(Decision::getDegradedReason).toList(), "degraded decisions");
            assertEquals(answered.keySet(), DecisionLogKillIT.storedIds("replicas-" + run + "-%"), "decisions in the log");

            // Every decision's features equal one uninterrupted pipeline's over the same observations.
            Map<String, Map<Long, Decision>> bySeries = new HashMap<>();
            for (Decision d : answered.values()) {
                bySeries.computeIfAbsent(d.getSeriesId(), k -> new HashMap<>()).put(d.getTsMicros(), d);
            }
            for (List<Observation> s : series) {
                FeaturePipeline pipeline = new FeaturePipeline(FeatureConfig.defaults());
                double[] expected = new double[pipeline.size()];
                for (Observation o : s) {
                    pipeline.update(o.getTsMicros(), o.getOpen(), o.getHigh(), o.getLow(), o.getValue(), o.getVolume(), expected, 0);
                    List<Double> got = bySeries.get(o.getSeriesId()).get(o.getTsMicros()).getFeatures().getValuesList();
                    assertEquals(expected.length, got.size());
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(got.get(i)),
                                "series " + o.getSeriesId() + " ts " + o.getTsMicros() + " feature " + i);
                    }
                }
            }

            // Series really moved: B held some before it left, and the new replica took some after it joined.
            assertTrue(movedAway > 0, "no series belonged to the replica that left");
            assertTrue(seriesServed(featuresC) > 0, "the replica that joined served no series");
            // model-service: both replicas predicted.
            assertTrue(predictions(modelsA) > 0 && predictions(modelsB) > 0,
                    "predictions: " + predictions(modelsA) + " and " + predictions(modelsB));
            System.out.printf("ReplicasIT: %d decisions over %d series, %d series moved when a feature replica left,"
                            + " the joining one served %d; predictions %d + %d%n", answered.size(), SERIES, movedAway,
                    seriesServed(featuresC), predictions(modelsA), predictions(modelsB));
        } finally {
            pool.shutdownNow();
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
            Files.deleteIfExists(members);
        }
    }

    /**
     * A feature-service replica that dies (kill -9) while still listed opens only its own circuit: the series it holds
     * are degraded (naming the replica), and the series of the replica that is up are decided as before, however many
     * calls to the dead one failed.
     */
    @Test
    void aDeadFeatureReplicaOpensOnlyItsOwnCircuit() throws Exception {
        String run = UUID.randomUUID().toString();
        Map<String, String> featureConfig = RealDependencies.shardedFeatureService(run);
        List<ServiceProcess> started = new ArrayList<>();
        try {
            ServiceProcess up = track(started, ServiceProcess.start("feature-service.runner", "replicas-it-breaker-features-up", featureConfig));
            ServiceProcess dying = track(started, ServiceProcess.start("feature-service.runner", "replicas-it-breaker-features-dying", featureConfig));
            ServiceProcess models = track(started, ServiceProcess.start("model-service.runner", "replicas-it-breaker-models", RealDependencies.modelService(run, up.grpcPort, true)));
            MsftModels.deploy(models.channel);
            List<String> members = List.of(member(up), member(dying));
            ServiceProcess decisions = track(started, ServiceProcess.start("decision-service.runner", "replicas-it-breaker-decisions", Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                    "arbiter.decision.redis-prefix", "arbiter-it:decision:" + run + ":",
                    "arbiter.decision.log.spool-dir", "target/replicas-it-breaker-spool-" + run,
                    "arbiter.decision.replicas.features", String.join(",", members),
                    "quarkus.grpc.clients.models.host", "127.0.0.1",
                    "quarkus.grpc.clients.models.port", Integer.toString(models.grpcPort),
                    "quarkus.grpc.clients.models.test-port", Integer.toString(models.grpcPort))));
            dying.kill();

            // four series on each replica, and more calls to the dead one than the breaker's window, so that its circuit opens
            List<String> onUp = new ArrayList<>();
            List<String> onDead = new ArrayList<>();
            for (int i = 0; onUp.size() < 4 || onDead.size() < 4; i++) {
                String id = "breaker-" + run + "-" + i;
                List<String> side = Rendezvous.owner(id, members).equals(member(dying)) ? onDead : onUp;
                if (side.size() < 4) {
                    side.add(id);
                }
            }
            int rounds = 40;
            Map<Boolean, Integer> degraded = new HashMap<>(Map.of(true, 0, false, 0));
            Set<String> reasonsOfDead = new HashSet<>();
            for (int step = 0; step < rounds; step++) {
                for (String id : concat(onUp, onDead)) {
                    boolean dead = onDead.contains(id);
                    Decision d = DecisionServiceGrpc.newBlockingStub(decisions.channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                            .decide(DecideRequest.newBuilder().setObservation(Msft.rows().get(step).observation(id)).setLatencyBudgetMs(2_000).build());
                    if (d.getDegraded()) {
                        degraded.merge(dead, 1, Integer::sum);
                        if (dead) {
                            reasonsOfDead.add(d.getDegradedReason().replaceAll("retry in [0-9.]+ s", "retry in _ s"));
                        }
                    }
                }
            }
            assertEquals(0, degraded.get(false), "decisions on the series of the replica that is up");
            assertEquals(onDead.size() * rounds, degraded.get(true), "decisions on the series of the dead replica");
            assertTrue(reasonsOfDead.stream().anyMatch(r -> r.contains("feature-service " + member(dying) + ": circuit open")),
                    "the dead replica's own circuit opened: " + reasonsOfDead);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static ServiceProcess track(List<ServiceProcess> started, ServiceProcess p) {
        started.add(p);
        return p;
    }

    private static String member(ServiceProcess p) {
        return "127.0.0.1:" + p.grpcPort;
    }

    private static void writeMembers(Path file, ServiceProcess... replicas) throws Exception {
        StringBuilder b = new StringBuilder("# feature-service replicas, HOST:PORT per line\n");
        for (ServiceProcess p : replicas) {
            b.append(member(p)).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, b);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Waits until every decision-service routes over {@code count} feature-service replicas (its gauge says so). */
    private static void awaitFeatureReplicas(List<ServiceProcess> deciders, int count) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Set<ServiceProcess> waiting = new HashSet<>(deciders);
        while (!waiting.isEmpty()) {
            waiting.removeIf(p -> metric(p, "arbiter_decision_dependency_replicas\\{[^}]*dependency=\"feature-service\"[^}]*\\}") == count);
            assertFalse(!waiting.isEmpty() && System.nanoTime() > end, "decision-service did not see " + count + " feature replicas in 30 s");
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // between polls of the condition
        }
    }

    private static long predictions(ServiceProcess models) {
        return (long) metric(models, "arbiter_model_predict_seconds_count(\\{[^}]*\\})?");
    }

    private static long seriesServed(ServiceProcess features) {
        return FeatureServiceGrpc.newBlockingStub(features.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .listSeries(ListSeriesRequest.newBuilder().setPageSize(1).build()).getTotalSeries();
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The sum of a Prometheus metric's samples whose name and labels match {@code series}, from /q/metrics. */
    static double metric(ServiceProcess p, String series) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.httpPort + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^" + series + " (?<value>[0-9.eE+-]+)$").matcher(body);
            double sum = 0;
            while (m.find()) {
                sum += Double.parseDouble(m.group("value"));
            }
            return sum;
        } catch (Exception e) {
            throw new IllegalStateException("metrics of port " + p.httpPort + ": " + e, e);
        }
    }
}
