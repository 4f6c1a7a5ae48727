package dev.arbiter.decision.decide;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.risk.RiskStateStore;
import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.engine.policy.BuiltInGate;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GateResult;
import dev.arbiter.proto.v1.GetParameterSetRequest;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.ReplayDecisionRequest;
import dev.arbiter.proto.v1.ReplayDecisionResponse;
import dev.arbiter.proto.v1.ReplayMode;
import dev.arbiter.proto.v1.RollbackParametersRequest;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.PredictionOutcomeStatus;
import dev.arbiter.proto.v1.ReportPredictionOutcomeRequest;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decide path end to end in-process against a real feature-service and model-service, the ensemble two real
 * models whose probability the test chooses ({@link MsftModels#deployConstant}): explained decisions, versions, the
 * risk state each saw and changed, the decision id given to Predict, and the meters.
 */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class DecisionPathTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    RiskStateStore risk;

    @Inject
    DecisionLog log;

    @Inject
    io.quarkus.redis.datasource.RedisDataSource redis;

    @BeforeEach
    void reset() throws Exception {
        RealDependenciesProfile.ensembleAnswers(0.8);
        io.smallrye.faulttolerance.api.CircuitBreakerMaintenance.get().resetAll();
        dev.arbiter.decision.testing.RiskReset.clear(redis, RealDependenciesProfile.redisPrefix);
    }

    /** model-service joins an outcome to the decision id only if Predict was given it. */
    static boolean predictWasGiven(String decisionId) {
        return ModelServiceGrpc.newBlockingStub(RealDependenciesProfile.services.models.channel)
                .reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder().setDecisionId(decisionId)
                        .setRealisedPositive(true).setOutcomeTsMicros(1).build())
                .getStatus() == PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED;
    }

    Decision decide(Observation o) {
        return decisions.decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(2000).build());
    }

    @Test
    void realObservationsBecomeExplainedDecisionsThatActOnceWarmAndMoveTheRiskState() {
        String series = "msft-" + UUID.randomUUID();
        List<Decision> made = new ArrayList<>();
        for (Observation o : Msft.observations(series, 80)) {
            made.add(decide(o));
        }
        for (int i = 0; i < made.size(); i++) {
            Decision d = made.get(i);
            assertFalse(d.getDegraded(), d.getDegradedReason());
            assertEquals(series, d.getSeriesId());
            assertFalse(d.getDecisionId().isEmpty());
            assertTrue(predictWasGiven(d.getDecisionId()), "Predict was given the decision id");
            assertFalse(d.getPredictionId().isEmpty());
            assertEquals(0.8, d.getEnsembleProbability(), 1e-6);
            assertEquals(BuiltInGate.values().length, d.getGatesCount(), "every built-in gate, in order");
            for (BuiltInGate g : BuiltInGate.values()) {
                GateResult r = d.getGates(g.ordinal());
                assertEquals(g.gateName(), r.getName());
                assertFalse(r.getFromRule());
                assertFalse(r.getReason().isEmpty());
            }
            assertFalse(d.getReasonsList().isEmpty());
            assertEquals(MsftModels.SCHEMA.id(), d.getVersions().getFeatureSchemaId());
            assertEquals(2, d.getVersions().getModelVersionsCount());
            assertTrue(d.getVersions().getModelVersionsList().stream().allMatch(v -> v.getModelName().startsWith("constant-")),
                    d.getVersions().toString());
            assertFalse(d.getVersions().getWeightsSnapshotId().isEmpty());
            assertEquals("default", d.getVersions().getEnsembleName());
            assertTrue(d.getVersions().getEnsembleRevision() >= 1);
            assertEquals("live", d.getVersions().getVariantName());
            assertTrue(d.getVersions().getParameterSetVersion() >= 1);
            assertTrue(d.getVersions().getRuleSetVersion() >= 1);
            assertEquals(d.getTsMicros(), d.getFeatures().getTsMicros(), "the features decided on are logged with it");
            assertTrue(d.hasRiskState());
            assertTrue(d.getLatency().getTotalMicros() > 0);
            assertTrue(d.getDecidedTsMicros() > 0);
            assertTrue(log.find(d.getDecisionId()).isPresent(), "acknowledged means logged");
            boolean warm = d.getFeatures().getWarm();
            assertEquals(warm, d.getGates(BuiltInGate.WARMUP.ordinal()).getPassed());
            if (!warm) {
                assertEquals(Direction.DIRECTION_FLAT, d.getDirection(), "no action while warming up");
                assertTrue(d.getReasonsList().stream().anyMatch(r -> r.contains("warming up")), d.getReasonsList().toString());
            }
            if (i > 0) {
                Decision before = made.get(i - 1);
                double expected = before.getRiskState().getSeriesExposure() + signed(before);
                assertEquals(expected, d.getRiskState().getSeriesExposure(), 1e-9, "the position grew by the previous action");
            }
        }
        List<Decision> acted = made.stream().filter(d -> d.getDirection() != Direction.DIRECTION_FLAT).toList();
        assertFalse(acted.isEmpty(), "with p = 0.8 and full agreement, warm decisions act");
        for (Decision d : acted) {
            assertEquals(Direction.DIRECTION_LONG, d.getDirection());
            assertTrue(d.getSize() > 0 && d.getSize() <= 0.25, "size within risk.max_size: " + d.getSize());
            assertTrue(d.getGatesList().stream().allMatch(GateResult::getPassed), "an action passed every gate");
            assertTrue(d.getReasons(0).startsWith("LONG"), d.getReasons(0));
        }
        double position = made.stream().mapToDouble(DecisionPathTest::signed).sum();
        assertEquals(position, risk.read(series).getSeriesExposure(), 1e-9);
        assertTrue(made.get(made.size() - 1).getGatesList().stream()
                        .anyMatch(g -> g.getName().equals("exposure") && !g.getPassed()) || position < 0.5,
                "the series exposure cap holds the position at 0.5");
        assertTrue(position <= 0.5 + 1e-9);
        // the exposure gate reports the limit that blocked, the one with less room: here the series cap 0.5 (unless
        // other series' positions have filled the total cap 1.0), never the total while the series cap binds
        for (Decision d : made) {
            GateResult g = d.getGates(BuiltInGate.EXPOSURE.ordinal());
            boolean seriesBinds = 0.5 - d.getRiskState().getSeriesExposure() <= 1.0 - d.getRiskState().getExposure();
            if (!g.getPassed()) {
                assertEquals(seriesBinds ? 0.5 : 1.0, g.getThreshold(), 1e-12, g.toString());
                assertTrue(g.getReason().contains(seriesBinds ? "risk.max_series_exposure" : "risk.max_total_exposure"),
                        g.getReason());
            }
        }
    }

    @Test
    void theSameObservationSentManyTimesAtOnceIsDecidedOnce() throws Exception {
        String series = "retry-" + UUID.randomUUID();
        List<Observation> warmUp = Msft.observations(series, 70);
        for (Observation o : warmUp.subList(0, 69)) {
            decide(o);
        }
        double before = risk.read(series).getSeriesExposure();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<Decision>> answers = new ArrayList<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < 8; i++) {
            answers.add(pool.submit(() -> {
                go.await();
                return decide(warmUp.get(69));
            }));
        }
        go.countDown();
        List<Decision> all = new ArrayList<>();
        for (java.util.concurrent.Future<Decision> f : answers) {
            all.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(1, all.stream().map(Decision::getDecisionId).distinct().count(), "one decision");
        assertEquals(1, all.stream().filter(d -> !d.getDuplicate()).count(), "made once, the others are its duplicates");
        assertEquals(before + signed(all.get(0)), risk.read(series).getSeriesExposure(), 1e-9, "the risk state moved once");
    }

    /**
     * Decisions on many series at once all read the same open exposure before they decide; the commit checks the
     * total cap again, so together they never pass it (before, each added its size to what it had read), and each
     * logged decision's risk state is the one it was sized on.
     */
    @Test
    void concurrentDecisionsOnManySeriesNeverPassTheTotalExposureCap() throws Exception {
        int count = 12;
        List<List<Observation>> series = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            series.add(Msft.observations("cap-" + i + "-" + UUID.randomUUID(), 75));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(count);
        List<java.util.concurrent.Future<?>> warm = new ArrayList<>();
        for (List<Observation> s : series) {
            warm.add(pool.submit(() -> s.subList(0, 74).forEach(this::decide)));
        }
        for (java.util.concurrent.Future<?> f : warm) {
            f.get(120, java.util.concurrent.TimeUnit.SECONDS);
        }
        dev.arbiter.decision.testing.RiskReset.clear(redis, RealDependenciesProfile.redisPrefix);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Decision>> answers = new ArrayList<>();
        for (List<Observation> s : series) {
            answers.add(pool.submit(() -> {
                go.await();
                return decide(s.get(74));
            }));
        }
        go.countDown();
        List<Decision> made = new ArrayList<>();
        for (java.util.concurrent.Future<Decision> f : answers) {
            made.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        pool.shutdown();
        double total = made.stream().mapToDouble(Decision::getSize).sum();
        assertTrue(made.stream().noneMatch(Decision::getDegraded), made.toString());
        assertTrue(made.stream().filter(d -> d.getDirection() != Direction.DIRECTION_FLAT).count() >= 4,
                "with p = 0.8 each wants up to risk.max_size 0.25, so at least four fit: " + total);
        assertTrue(total <= 1.0 + 1e-8, "the total exposure cap 1.0 holds: " + total);
        assertEquals(total, risk.read(series.get(0).get(0).getSeriesId()).getExposure(), 1e-8, "the risk state holds them all");
        for (Decision d : made) {
            assertTrue(d.getRiskState().getExposure() + d.getSize() <= 1.0 + 1e-8,
                    "sized within the room of the state it logged: " + d.getRiskState() + " size " + d.getSize());
        }
    }

    @Test
    void aFallingEnsembleActsShort() throws Exception {
        String series = "short-" + UUID.randomUUID();
        RealDependenciesProfile.ensembleAnswers(0.2);
        List<Decision> made = new ArrayList<>();
        for (Observation o : Msft.observations(series, 60)) {
            made.add(decide(o));
        }
        assertTrue(made.stream().anyMatch(d -> d.getDirection() == Direction.DIRECTION_SHORT), "policy.allow_short = 1 by default");
        assertTrue(risk.read(series).getSeriesExposure() < 0);
    }

    /** The warm decisions of 60 MSFT observations of a new series. */
    List<Decision> warmDecisions(String prefix) {
        List<Decision> warm = new ArrayList<>();
        for (Observation o : Msft.observations(prefix + "-" + UUID.randomUUID(), 60)) {
            Decision d = decide(o);
            assertFalse(d.getDegraded(), d.getDegradedReason());
            if (d.getGates(BuiltInGate.WARMUP.ordinal()).getPassed()) {
                warm.add(d);
            }
        }
        assertFalse(warm.isEmpty(), "60 observations warm the features up");
        return warm;
    }

    @Test
    void theLearnedGateReadsTheEnsemblesMetaModelAndReplaysFromTheLoggedProbability() throws Exception {
        ParameterSet before = decisions.getParameterSet(GetParameterSetRequest.getDefaultInstance());
        decisions.setParameters(SetParametersRequest.newBuilder()
                .putValues("meta.min_probability", ParameterValue.newBuilder().setDoubleValue(0.6).build())
                .putValues("meta.size_weight", ParameterValue.newBuilder().setDoubleValue(1).build())
                .setAuthor("test").setReason("the learned gate on").build());
        try {
            RealDependenciesProfile.ensembleAnswers(0.8, 0.9);
            List<Decision> confident = warmDecisions("meta-pass");
            for (Decision d : confident) {
                assertEquals(0.9, d.getMetaProbability(), 1e-6, "the meta model's answer is logged with the decision");
                GateResult meta = d.getGates(BuiltInGate.META.ordinal());
                assertEquals("meta", meta.getName());
                assertTrue(meta.getPassed(), meta.toString());
                assertEquals(0.6, meta.getThreshold(), 1e-12);
            }
            List<Decision> acted = confident.stream().filter(d -> d.getDirection() == Direction.DIRECTION_LONG).toList();
            assertFalse(acted.isEmpty(), "a meta probability of 0.9 passes the gate at 0.6");
            Decision first = acted.get(0);
            // meta.size_weight 1: the size is scaled by the bet size 2 Phi(z) - 1, z = (0.9 - 0.5) / sqrt(0.9 * 0.1)
            assertTrue(first.getReasonsList().stream().anyMatch(r -> r.contains("x meta factor 0.818")), first.getReasonsList().toString());
            ReplayDecisionResponse replayed = decisions.replayDecision(ReplayDecisionRequest.newBuilder()
                    .setDecisionId(first.getDecisionId()).setMode(ReplayMode.REPLAY_MODE_RECORDED_VERSIONS).build());
            assertTrue(replayed.getIdentical(), replayed.getDifferencesList().toString());

            RealDependenciesProfile.ensembleAnswers(0.8, 0.3);
            for (Decision d : warmDecisions("meta-block")) {
                assertEquals(Direction.DIRECTION_FLAT, d.getDirection(), "a meta probability of 0.3 blocks every action");
                assertFalse(d.getGates(BuiltInGate.META.ordinal()).getPassed());
                assertTrue(d.getReasonsList().stream().anyMatch(r -> r.contains("below meta.min_probability 0.600")),
                        d.getReasonsList().toString());
            }

            RealDependenciesProfile.ensembleAnswers(0.8);
            for (Decision d : warmDecisions("meta-none")) {
                assertFalse(d.hasMetaProbability(), "no meta model, no meta probability");
                assertEquals(Direction.DIRECTION_FLAT, d.getDirection(), "the gate is on and nothing answered it");
                assertTrue(d.getReasonsList().stream().anyMatch(r -> r.contains("no meta model answered")), d.getReasonsList().toString());
            }
        } finally {
            decisions.rollbackParameters(RollbackParametersRequest.newBuilder().setToVersion(before.getVersion())
                    .setAuthor("test").setReason("the learned gate off again").build());
        }
    }

    @Test
    void aSeriesFromThe1960sIsDecidedAndListedByARangeBefore1970() {
        // 1,700 weeks back: the MSFT days land in 1968 on the same weekdays (negative epoch microseconds)
        long back = 1_700L * 7 * 86_400_000_000L;
        String series = "sixties-" + UUID.randomUUID();
        List<Decision> made = new ArrayList<>();
        for (Observation o : Msft.observations(series, 60)) {
            made.add(decide(o.toBuilder().setTsMicros(o.getTsMicros() - back).build()));
        }
        for (Decision d : made) {
            assertTrue(d.getTsMicros() < 0, "before 1970: " + d.getTsMicros());
            assertFalse(d.getDegraded(), d.getDegradedReason());
        }
        assertTrue(made.stream().anyMatch(d -> d.getDirection() == Direction.DIRECTION_LONG), "warm decisions act at p = 0.8");
        long start = made.get(10).getTsMicros();
        long end = made.get(20).getTsMicros();
        java.util.List<Decision> listed = decisions.listDecisions(dev.arbiter.proto.v1.ListDecisionsRequest.newBuilder()
                .setSeriesId(series).setRange(dev.arbiter.proto.v1.TimeRange.newBuilder().setStartTsMicros(start).setEndTsMicros(end))
                .build()).getDecisionsList();
        assertEquals(made.subList(10, 20).stream().map(Decision::getDecisionId).collect(java.util.stream.Collectors.toSet()),
                listed.stream().map(Decision::getDecisionId).collect(java.util.stream.Collectors.toSet()),
                "a range of negative times selects exactly its decisions");
        assertEquals(made.size(), decisions.listDecisions(dev.arbiter.proto.v1.ListDecisionsRequest.newBuilder()
                .setSeriesId(series).setPageSize(100).build()).getDecisionsCount(), "an open range includes times before 1970");
    }

    @Test
    void metricsSplitTheLatencyByStageAndCountDecisionsByDirection() {
        decide(Msft.observations("metrics-" + UUID.randomUUID(), 1).get(0));
        String body = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String stage : List.of("features", "models", "policy", "log")) {
            assertTrue(body.contains("arbiter_decision_stage_seconds_count{stage=\"" + stage + "\"}"), "stage " + stage);
        }
        assertTrue(body.contains("arbiter_decision_latency_seconds_bucket"));
        assertTrue(body.contains("arbiter_decision_decisions_total{degraded=\"false\",direction=\"flat\"}"));
        assertTrue(body.contains("arbiter_decision_dependency_circuit{dependency=\"model-service\",replica=\"all\"}"));
    }

    @Test
    void readinessIncludesRedis() {
        given().when().get("/q/health/ready").then().statusCode(200).body(containsString("Redis"));
    }

    static double signed(Decision d) {
        return switch (d.getDirection()) {
            case DIRECTION_LONG -> d.getSize();
            case DIRECTION_SHORT -> -d.getSize();
            default -> 0;
        };
    }
}
