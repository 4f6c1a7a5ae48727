package dev.arbiter.decision.grpc;

import static dev.arbiter.decision.testing.Refusals.invalid;
import static dev.arbiter.decision.testing.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.decision.testing.RiskReset;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.FeatureDecileStatistics;
import dev.arbiter.proto.v1.GateResult;
import dev.arbiter.proto.v1.GetDecisionRequest;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.GetRuleSetRequest;
import dev.arbiter.proto.v1.GetShadowRunRequest;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.ObservedRange;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.RegimeStatistics;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.RollbackRuleSetRequest;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.SetRuleSetRequest;
import dev.arbiter.proto.v1.ShadowRun;
import dev.arbiter.proto.v1.StartShadowRunRequest;
import dev.arbiter.proto.v1.StopShadowRunRequest;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.VariantPerformance;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Shadow runs on real decisions (real feature-service and model-service): a staged rule set is decided beside the live
 * rules without changing them, its result is logged with each decision in its own field, and GetShadowRun compares the
 * two on the decisions whose outcomes were reported, by common.proto's definitions.
 */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class ShadowRunRpcTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    RedisDataSource redis;

    private final List<String> started = new ArrayList<>();

    @BeforeEach
    void reset() throws Exception {
        RealDependenciesProfile.ensembleAnswers(0.8);
        io.smallrye.faulttolerance.api.CircuitBreakerMaintenance.get().resetAll();
        RiskReset.clear(redis, RealDependenciesProfile.redisPrefix);
    }

    /** Other tests of this application decide too: no shadow run is left running. */
    @AfterEach
    void stopRuns() {
        for (String id : started) {
            decisions.stopShadowRun(StopShadowRunRequest.newBuilder().setShadowId(id).setAuthor("test").setReason("done").build());
        }
    }

    private int stage(String ruleId, String expression) {
        return decisions.setRuleSet(SetRuleSetRequest.newBuilder()
                .addRules(Rule.newBuilder().setRuleId(ruleId).setKind(RuleKind.RULE_KIND_GATE).setExpression(expression))
                .setStageOnly(true).setAuthor("test").setReason("a candidate for a shadow run").build()).getVersion();
    }

    private ShadowRun start(String id, int version) {
        ShadowRun run = decisions.startShadowRun(StartShadowRunRequest.newBuilder().setShadowId(id).setRuleSetVersion(version)
                .setAuthor("ana").setReason("does blocking everything help?").build());
        started.add(id);
        return run;
    }

    private ShadowRun get(String id) {
        return decisions.getShadowRun(GetShadowRunRequest.newBuilder().setShadowId(id).build());
    }

    private Decision decide(Observation o) {
        return decisions.decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(2000).build());
    }

    private void outcome(Decision d, double realisedReturn) {
        decisions.reportOutcome(ReportOutcomeRequest.newBuilder().setDecisionId(d.getDecisionId())
                .setRealisedReturn(realisedReturn).setOutcomeTsMicros(d.getTsMicros() + 1).build());
    }

    @Test
    void aStagedRuleSetIsDecidedBesideTheLiveRulesLoggedInItsOwnFieldAndComparedOnSettledDecisions() {
        int live = decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance()).getVersion();
        int staged = stage("never", "agreement > 2.0");
        assertEquals(live, decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance()).getVersion(), "staged, not live");
        String id = "shadow-" + UUID.randomUUID();
        ShadowRun run = start(id, staged);
        assertTrue(run.getRunning());
        assertEquals(staged, run.getRuleSetVersion());
        assertEquals("ana", run.getAuthor());
        assertEquals(0, run.getDecisions());

        String series = "shadow-" + UUID.randomUUID();
        List<Decision> made = new ArrayList<>();
        for (Observation o : Msft.observations(series, 80)) {
            made.add(decide(o));
        }
        for (Decision d : made) {
            assertFalse(d.getDegraded(), d.getDegradedReason());
            assertEquals(live, d.getVersions().getRuleSetVersion(), "decided with the live rules");
            assertTrue(d.getGatesList().stream().noneMatch(g -> g.getName().equals("never")), "the live decision has no shadow rule");
            assertTrue(d.hasShadow(), "every live-policy decision carries the shadow result");
            assertEquals(id, d.getShadow().getShadowId());
            assertEquals(staged, d.getShadow().getRuleSetVersion());
            assertEquals(Direction.DIRECTION_FLAT, d.getShadow().getDirection(), "a gate that is never true never acts");
            assertEquals(0, d.getShadow().getSize());
            assertEquals("", d.getShadow().getError());
            GateResult never = d.getShadow().getGatesList().stream().filter(g -> g.getName().equals("never")).findFirst().orElseThrow();
            assertTrue(never.getFromRule());
            assertFalse(never.getPassed());
            assertEquals("blocked: agreement > 2.0", never.getReason());
        }
        List<Decision> acted = made.stream().filter(d -> d.getDirection() != Direction.DIRECTION_FLAT).toList();
        assertFalse(acted.isEmpty(), "with p = 0.8 and full agreement, warm live decisions act");
        Decision flat = made.stream().filter(d -> d.getDirection() == Direction.DIRECTION_FLAT).findFirst().orElseThrow();

        // the first action wins, the others lose; the FLAT decision's outcome is the same under both rule sets
        double livePnl = 0;
        for (int i = 0; i < acted.size(); i++) {
            double r = i == 0 ? 0.02 : -0.01;
            outcome(acted.get(i), r);
            livePnl += acted.get(i).getSize() * r;
        }
        outcome(flat, 0.03);

        ShadowRun compared = get(id);
        assertEquals(80, compared.getDecisions());
        assertEquals(acted.size() + 1, compared.getSettled());
        assertEquals(1, compared.getSamePosition(), "only the FLAT decision took the same position");
        assertEquals(acted.size() - 1, compared.getShadowBetter(), "staying out of a losing action is better");
        assertEquals(1, compared.getShadowWorse(), "staying out of the winning one is worse");
        PerformanceMetrics l = compared.getLive();
        assertEquals(80, l.getDecisionCount());
        assertEquals(acted.size(), l.getActionCount());
        assertEquals(acted.size() + 1, l.getOutcomeCount());
        assertEquals(acted.size() - 1, l.getFalsePositiveActions());
        assertEquals(1.0 / acted.size(), l.getPrecision(), 1e-12);
        assertEquals(livePnl, l.getPnl(), 1e-12);
        PerformanceMetrics s = compared.getShadow();
        assertEquals(0, s.getActionCount());
        assertEquals(0, s.getPnl());
        assertEquals(0, s.getFalsePositiveActions());
        assertEquals(0, s.getMaxDrawdown());
        assertTrue(decisions.getDecision(GetDecisionRequest.newBuilder().setDecisionId(acted.get(0).getDecisionId()).build())
                .hasShadow(), "the shadow result is logged with the decision");

        ShadowRun stopped = decisions.stopShadowRun(StopShadowRunRequest.newBuilder().setShadowId(id).setAuthor("ben")
                .setReason("enough").build());
        assertFalse(stopped.getRunning());
        assertEquals("ben", stopped.getStopAuthor());
        assertTrue(stopped.getStoppedTsMicros() > 0);
        assertFalse(decide(Msft.observations(series, 81).get(80)).hasShadow(), "no shadow result once stopped");
        ShadowRun again = decisions.stopShadowRun(StopShadowRunRequest.newBuilder().setShadowId(id).setAuthor("cy")
                .setReason("twice").build());
        assertEquals(stopped.getStoppedTsMicros(), again.getStoppedTsMicros(), "stopping a stopped run changes nothing");
        assertEquals("ben", again.getStopAuthor());
        assertEquals(80, again.getDecisions());

        // GetPerformance counts one rule set version's decisions
        PerformanceMetrics underLive = decisions.getPerformance(GetPerformanceRequest.newBuilder().addVariantNames("live")
                .setSeriesId(series).setRange(TimeRange.getDefaultInstance()).setRuleSetVersion(live).build()).getVariants(0).getMetrics();
        assertEquals(81, underLive.getDecisionCount());
        PerformanceMetrics underStaged = decisions.getPerformance(GetPerformanceRequest.newBuilder().addVariantNames("live")
                .setSeriesId(series).setRange(TimeRange.getDefaultInstance()).setRuleSetVersion(staged).build()).getVariants(0).getMetrics();
        assertEquals(0, underStaged.getDecisionCount(), "no decision was made with the staged version");

        // the breakdown rule-service shows a proposer: losing actions by regime and feature decile, observed ranges
        VariantPerformance broken = decisions.getPerformance(GetPerformanceRequest.newBuilder().addVariantNames("live")
                .setSeriesId(series).setRange(TimeRange.getDefaultInstance()).setBreakdown(true).build()).getVariants(0);
        assertEquals(81, broken.getBreakdownDecisions());
        assertEquals(6, broken.getRegimesCount());
        assertEquals(acted.size(), broken.getRegimesList().stream().mapToLong(RegimeStatistics::getJudgedActions).sum());
        assertEquals(acted.size() - 1, broken.getRegimesList().stream().mapToLong(RegimeStatistics::getFalsePositiveActions).sum());
        List<FeatureDecileStatistics> vol = broken.getFeatureDecilesList().stream().filter(f -> f.getFeature().equals("vol_20")).toList();
        assertEquals(10, vol.size());
        assertEquals(acted.size(), vol.stream().mapToLong(FeatureDecileStatistics::getJudgedActions).sum());
        ObservedRange confidence = broken.getObservedList().stream().filter(o -> o.getName().equals("confidence")).findFirst().orElseThrow();
        assertEquals(81, confidence.getCount());
        assertTrue(confidence.getMin() >= 0 && confidence.getMax() <= 1, confidence::toString);
        assertTrue(broken.getObservedList().stream().anyMatch(o -> o.getName().equals("features.vol_20") && o.getCount() > 0));
        assertEquals(0, decisions.getPerformance(GetPerformanceRequest.newBuilder().addVariantNames("live").setSeriesId(series)
                .setRange(TimeRange.getDefaultInstance()).build()).getVariants(0).getRegimesCount(), "only when asked for");
    }

    @Test
    void everyBadShadowRequestIsRefusedNamingTheField() {
        int staged = stage("calm_only", "features.vol_20 < 0.05");
        StartShadowRunRequest ok = StartShadowRunRequest.newBuilder().setShadowId("bad-" + UUID.randomUUID())
                .setRuleSetVersion(staged).setAuthor("ana").setReason("r").build();
        invalid("shadow_id", () -> decisions.startShadowRun(ok.toBuilder().setShadowId("").build()));
        invalid("shadow_id", () -> decisions.startShadowRun(ok.toBuilder().setShadowId("x".repeat(65)).build()));
        invalid("shadow_id", () -> decisions.startShadowRun(ok.toBuilder().setShadowId("a\u0001b").build()));
        invalid("author", () -> decisions.startShadowRun(ok.toBuilder().setAuthor("").build()));
        invalid("reason", () -> decisions.startShadowRun(ok.toBuilder().setReason(" ").build()));
        invalid("reason", () -> decisions.startShadowRun(ok.toBuilder().setReason("r\u0000").build()));
        invalid("rule_set_version", () -> decisions.startShadowRun(ok.toBuilder().setRuleSetVersion(0).build()));
        invalid("rule_set_version", () -> decisions.startShadowRun(ok.toBuilder().setRuleSetVersion(-3).build()));
        refused(Status.Code.NOT_FOUND, "rule_set_version", () -> decisions.startShadowRun(ok.toBuilder().setRuleSetVersion(999_999).build()));

        start(ok.getShadowId(), staged);
        StatusRuntimeException busy = refused(Status.Code.FAILED_PRECONDITION, "shadow_id", () -> decisions.startShadowRun(
                ok.toBuilder().setShadowId("other-" + UUID.randomUUID()).build()));
        assertTrue(busy.getStatus().getDescription().contains("one runs at a time: stop it first"), busy::toString);
        refused(Status.Code.ALREADY_EXISTS, "shadow_id", () -> decisions.startShadowRun(ok));
        decisions.stopShadowRun(StopShadowRunRequest.newBuilder().setShadowId(ok.getShadowId()).setAuthor("ana").setReason("r").build());
        refused(Status.Code.ALREADY_EXISTS, "shadow_id", () -> decisions.startShadowRun(ok));

        refused(Status.Code.NOT_FOUND, "shadow_id", () -> decisions.stopShadowRun(StopShadowRunRequest.newBuilder()
                .setShadowId("unknown-" + UUID.randomUUID()).setAuthor("a").setReason("r").build()));
        invalid("author", () -> decisions.stopShadowRun(StopShadowRunRequest.newBuilder().setShadowId(ok.getShadowId()).setReason("r").build()));
        invalid("reason", () -> decisions.stopShadowRun(StopShadowRunRequest.newBuilder().setShadowId(ok.getShadowId()).setAuthor("a").build()));
        invalid("shadow_id", () -> decisions.stopShadowRun(StopShadowRunRequest.newBuilder().setAuthor("a").setReason("r").build()));
        refused(Status.Code.NOT_FOUND, "shadow_id", () -> get("unknown-" + UUID.randomUUID()));
        invalid("shadow_id", () -> get(""));
        invalid("shadow_id", () -> get("y".repeat(65)));

        invalid("rule_set_version", () -> decisions.getPerformance(GetPerformanceRequest.newBuilder().setRuleSetVersion(-1).build()));
        int live = decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance()).getVersion();
        refused(Status.Code.FAILED_PRECONDITION, "expected_live_version", () -> decisions.rollbackRuleSet(RollbackRuleSetRequest
                .newBuilder().setToVersion(staged).setExpectedLiveVersion(live + 1000).setAuthor("a").setReason("r").build()));
        invalid("expected_live_version", () -> decisions.rollbackRuleSet(RollbackRuleSetRequest.newBuilder().setToVersion(staged)
                .setExpectedLiveVersion(-1).setAuthor("a").setReason("r").build()));
        assertEquals(live, decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance()).getVersion(), "nothing was rolled back");
    }
}
