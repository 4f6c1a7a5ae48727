package dev.arbiter.decision.grpc;

import static dev.arbiter.decision.testing.Decisions.decision;
import static dev.arbiter.decision.testing.Decisions.degraded;
import static dev.arbiter.decision.testing.Refusals.invalid;
import static dev.arbiter.decision.testing.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GateStatistics;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.GetPerformanceResponse;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.VariantPerformance;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * GetPerformance against numbers worked out by hand from common.proto's definitions: a small log of decisions of
 * one series, with outcomes, in two variants.
 */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class PerformanceRpcTest {

    static final double EPS = 1e-12;

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    DecisionLog log;

    Decision logged(Decision.Builder d) throws Exception {
        Decision decision = d.build();
        log.append(decision).get();
        return decision;
    }

    void outcome(Decision d, double r, long outcomeTs) {
        decisions.reportOutcome(ReportOutcomeRequest.newBuilder().setDecisionId(d.getDecisionId()).setRealisedReturn(r)
                .setOutcomeTsMicros(outcomeTs).build());
    }

    @Test
    void metricsAndGateStatisticsFollowTheDefinitions() throws Exception {
        String series = "perf-" + UUID.randomUUID();
        long now = dev.arbiter.decision.testing.Decisions.nowMicros();
        // live: four decisions with outcomes, one acted one pending, one degraded.
        Decision a = logged(decision(series, 10, Direction.DIRECTION_LONG, 0.2, 0.8, "live", "edge", true, "calm", true));
        Decision b = logged(decision(series, 20, Direction.DIRECTION_SHORT, 0.1, 0.3, "live", "edge", true, "calm", true));
        Decision c = logged(decision(series, 30, Direction.DIRECTION_FLAT, 0, 0.7, "live", "edge", true, "calm", false));
        Decision e = logged(decision(series, 40, Direction.DIRECTION_FLAT, 0, 0.2, "live", "edge", false, "calm", true));
        Decision pending = logged(decision(series, 50, Direction.DIRECTION_LONG, 0.05, 0.9, "live", "edge", true, "calm", true));
        Decision down = logged(degraded(series, 60));
        // variant "b": one acted decision that loses.
        Decision v = logged(decision(series, 70, Direction.DIRECTION_LONG, 0.3, 0.6, "b", "edge", true));
        // outside the range asked below
        logged(decision(series, 1000, Direction.DIRECTION_LONG, 0.3, 0.6, "live", "edge", true));

        outcome(a, 0.05, now + 1);    // LONG 0.2 wins: pnl +0.010; p 0.8 predicted up, up: hit
        outcome(b, 0.02, now + 2);    // SHORT 0.1 loses: pnl -0.002; p 0.3 predicted down, up: miss
        outcome(c, -0.01, now + 3);   // FLAT, blocked by calm, leaned up, went down: calm's block would have lost
        outcome(e, -0.03, now + 4);   // FLAT, blocked by edge, leaned down (p 0.2), went down: edge's block would have won; hit
        outcome(down, 0.01, now + 5); // degraded, no prediction: not judged for hit rate
        outcome(v, -0.1, now + 6);    // b: LONG 0.3 loses: pnl -0.03

        GetPerformanceResponse r = decisions.getPerformance(GetPerformanceRequest.newBuilder().setSeriesId(series)
                .addVariantNames("live").addVariantNames("b")
                .setRange(TimeRange.newBuilder().setStartTsMicros(1).setEndTsMicros(100)).build());
        assertEquals(2, r.getVariantsCount());
        assertEquals(1, r.getRange().getStartTsMicros());
        assertEquals(100, r.getRange().getEndTsMicros());

        VariantPerformance live = r.getVariants(1);
        assertEquals("live", live.getVariantName());
        PerformanceMetrics m = live.getMetrics();
        assertEquals(6, m.getDecisionCount());
        assertEquals(3, m.getActionCount());
        assertEquals(5, m.getOutcomeCount());
        assertEquals(2.0 / 4, m.getHitRate(), EPS, "a, e hit; b, c miss; the degraded one is not judged");
        assertEquals(1.0 / 2, m.getPrecision(), EPS);
        assertEquals(1, m.getFalsePositiveActions());
        assertEquals(0.010 - 0.002, m.getPnl(), EPS);
        double mean = (0.010 - 0.002) / 6;
        double variance = (0.010 * 0.010 + 0.002 * 0.002) / 6 - mean * mean;
        assertEquals(mean / Math.sqrt(variance), m.getSharpe(), 1e-9);
        assertEquals(0.002, m.getMaxDrawdown(), EPS, "+0.010 then -0.002");
        assertEquals(2 * (0.2 + 0.1 + 0.05), m.getTurnover(), EPS);
        assertEquals(1, live.getPendingOutcomes());
        assertEquals(1, live.getDegradedDecisions());
        assertEquals(2, live.getGatesCount());
        assertEquals(GateStatistics.newBuilder().setGateName("edge").setEvaluations(5).setBlocked(1).setBlockedWouldLose(0).setBlockedWouldWin(1).build(),
                live.getGates(0), "built-in gates first");
        assertEquals(GateStatistics.newBuilder().setGateName("calm").setEvaluations(5).setBlocked(1).setBlockedWouldLose(1).setBlockedWouldWin(0).build(),
                live.getGates(1));

        VariantPerformance vb = r.getVariants(0);
        assertEquals("b", vb.getVariantName());
        assertEquals(1, vb.getMetrics().getDecisionCount());
        assertEquals(-0.03, vb.getMetrics().getPnl(), EPS);
        assertEquals(0.03, vb.getMetrics().getMaxDrawdown(), EPS, "from a peak of 0");
        assertEquals(0, vb.getMetrics().getPrecision(), EPS);

        GetPerformanceResponse onlyB = decisions.getPerformance(GetPerformanceRequest.newBuilder().setSeriesId(series).addVariantNames("b")
                .setRange(TimeRange.newBuilder().setStartTsMicros(1).setEndTsMicros(100)).build());
        assertEquals(1, onlyB.getVariantsCount());
        assertEquals(vb, onlyB.getVariants(0));

        // Without a range: the rolling window up to the latest decision of the series.
        GetPerformanceResponse rolling = decisions.getPerformance(GetPerformanceRequest.newBuilder().setSeriesId(series).build());
        assertEquals(1001, rolling.getRange().getEndTsMicros());
        assertEquals(7, rolling.getVariantsList().stream().filter(x -> x.getVariantName().equals("live")).findFirst().orElseThrow()
                .getMetrics().getDecisionCount());
    }

    @Test
    void withoutARangeEachSeriesHasItsOwnWindowSoNoSeriesMovesAnothers() throws Exception {
        String variant = "anchor-" + UUID.randomUUID().toString().substring(0, 8);
        String old = "anchor-old-" + UUID.randomUUID();
        String recent = "anchor-recent-" + UUID.randomUUID();
        long day = 86_400_000_000L;
        long y1990 = 631_152_000_000_000L;
        long y2020 = 1_577_836_800_000_000L;
        // a 1990 series, its last decision 10 days after its first: only the last 7 days of it are in its window
        logged(decision(old, y1990, Direction.DIRECTION_LONG, 0.1, 0.7, variant, "edge", true));
        logged(decision(old, y1990 + 5 * day, Direction.DIRECTION_LONG, 0.1, 0.7, variant, "edge", true));
        logged(decision(old, y1990 + 10 * day, Direction.DIRECTION_LONG, 0.1, 0.7, variant, "edge", true));
        // a series thirty years later does not push the 1990 one out of the answer
        logged(decision(recent, y2020, Direction.DIRECTION_LONG, 0.1, 0.7, variant, "edge", true));

        GetPerformanceResponse all = decisions.getPerformance(GetPerformanceRequest.newBuilder().addVariantNames(variant).build());
        assertEquals(3, all.getVariants(0).getMetrics().getDecisionCount(), "the 1990 series' last two and the 2020 one");
        GetPerformanceResponse oldOnly = decisions.getPerformance(GetPerformanceRequest.newBuilder().setSeriesId(old)
                .addVariantNames(variant).build());
        assertEquals(2, oldOnly.getVariants(0).getMetrics().getDecisionCount());
        assertEquals(y1990 + 10 * day + 1, oldOnly.getRange().getEndTsMicros());
        assertEquals(y1990 + 3 * day + 1, oldOnly.getRange().getStartTsMicros(), "seven days up to its latest decision");
    }

    @Test
    void badRequestsAreRefusedNamingTheField() {
        invalid("range", () -> decisions.getPerformance(GetPerformanceRequest.newBuilder()
                .setRange(TimeRange.newBuilder().setStartTsMicros(50).setEndTsMicros(50)).build()));
        invalid("range.start_ts_micros", () -> decisions.getPerformance(GetPerformanceRequest.newBuilder()
                .setRange(TimeRange.newBuilder().setStartTsMicros(dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1)).build()));
        invalid("range.end_ts_micros", () -> decisions.getPerformance(GetPerformanceRequest.newBuilder()
                .setRange(TimeRange.newBuilder().setEndTsMicros(dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1)).build()));
        invalid("series_id", () -> decisions.getPerformance(GetPerformanceRequest.newBuilder().setSeriesId("x".repeat(300)).build()));
        invalid("variant_names[1]", () -> decisions.getPerformance(GetPerformanceRequest.newBuilder().addVariantNames("live").addVariantNames("").build()));
        refused(Status.Code.NOT_FOUND, "variant_names[0]", () -> decisions.getPerformance(GetPerformanceRequest.newBuilder()
                .addVariantNames("never-heard-of").build()));
    }
}
