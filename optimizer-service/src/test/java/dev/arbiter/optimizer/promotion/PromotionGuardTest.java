package dev.arbiter.optimizer.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.optimizer.config.PromotionConfig;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.PromoteParametersResponse;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The guard and the rollback of a background promotion, in-process, against a double of decision-service's parameter
 * and performance RPCs ({@link DecisionParameters}): a packaged decision-service cannot be made to lose without
 * feature-service and model-service answering, so PromotionIT covers the steps and this test the guard.
 */
class PromotionGuardTest {

    /** decision-service's parameter versions and live performance, in memory. */
    static final class FakeDecisions implements DecisionParameters {
        final List<ParameterSet> versions = new ArrayList<>();
        int live = 1;
        PerformanceMetrics performance = PerformanceMetrics.getDefaultInstance();

        FakeDecisions() {
            ParameterSet.Builder v1 = ParameterSet.newBuilder().setVersion(1).setAuthor("start").setReason("defaults");
            for (PolicyParameter p : PolicyParameter.values()) {
                v1.putValues(p.key(), PromotionRun.typed(p, p.defaultValue()));
            }
            versions.add(v1.build());
        }

        @Override
        public ParameterSet live() {
            return versions.get(live - 1);
        }

        @Override
        public ParameterSet set(Map<String, ParameterValue> values, String reason, int expectedLiveVersion, boolean dryRun) {
            if (expectedLiveVersion > 0 && expectedLiveVersion != live) {
                throw RequestRefused.precondition("expected_live_version", "not live");
            }
            ParameterSet next = live().toBuilder().putAllValues(values).setVersion(versions.size() + 1)
                    .setAuthor(AUTHOR).setReason(reason).setSourceVersion(live).build();
            if (!dryRun) {
                versions.add(next);
                live = next.getVersion();
            }
            return next;
        }

        @Override
        public ParameterSet rollback(int toVersion, String reason) {
            ParameterSet copy = versions.get(toVersion - 1).toBuilder().setVersion(versions.size() + 1)
                    .setAuthor(AUTHOR).setReason(reason).setSourceVersion(toVersion).build();
            versions.add(copy);
            live = copy.getVersion();
            return copy;
        }

        @Override
        public PerformanceMetrics livePerformance() {
            return performance;
        }
    }

    static PromotionConfig.Guard guard(PromotionConfig.Metric metric, double margin, long minSettled) {
        return new PromotionConfig.Guard() {
            public PromotionConfig.Metric metric() {
                return metric;
            }

            public double margin() {
                return margin;
            }

            public long minSettled() {
                return minSettled;
            }
        };
    }

    static PerformanceMetrics metrics(double precision, double pnl, long settled) {
        return PerformanceMetrics.newBuilder().setPrecision(precision).setPnl(pnl).setOutcomeCount(settled).build();
    }

    static PromotionRun run(FakeDecisions decisions, PromotionGuard guard) {
        PromotionTarget target = new PromotionTarget(new TreeMap<>(Map.of("gate.min_confidence", 0.6)), "study \"s\" trial 7");
        return new PromotionRun(decisions, target, new SmoothingStep(0.5, 0.1, 0.001), "ana: tuned", guard);
    }

    @Test
    void precisionFallingBelowTheBaselineByMoreThanTheMarginRollsBackToTheVersionBeforeThePromotion() {
        FakeDecisions decisions = new FakeDecisions();
        decisions.performance = metrics(0.62, 1.0, 80);
        PromotionGuard guard = PromotionGuard.start(guard(PromotionConfig.Metric.PRECISION, 0.05, 50), decisions.performance);
        assertTrue(guard.active());
        PromotionRun run = run(decisions, guard);
        PromoteParametersResponse first = run.first(0, false);
        assertEquals(1, first.getPreviousParameterSetVersion());
        assertEquals(2, first.getParameterSetVersion());

        decisions.performance = metrics(0.58, 1.0, 90); // within the margin
        assertEquals(PromotionRun.Next.STEPPED, run.next());
        assertEquals(3, decisions.live);

        decisions.performance = metrics(0.40, 1.0, 30); // too few settled decisions to judge
        assertEquals(PromotionRun.Next.STEPPED, run.next());
        assertEquals(4, decisions.live);

        decisions.performance = metrics(0.55, 1.0, 100); // 0.55 < 0.62 - 0.05
        assertEquals(PromotionRun.Next.ROLLED_BACK, run.next());
        ParameterSet back = decisions.live();
        assertEquals(5, back.getVersion());
        assertEquals(1, back.getSourceVersion());
        assertEquals(decisions.versions.get(0).getValuesMap(), back.getValuesMap());
        assertEquals(DecisionParameters.AUTHOR, back.getAuthor());
        assertTrue(back.getReason().contains("stopped by the guard after step 3"), back.getReason());
        assertTrue(back.getReason().contains("live precision 0.5500 over 100 settled decisions"), back.getReason());
        assertTrue(back.getReason().contains("study \"s\" trial 7"), back.getReason());
    }

    @Test
    void pnlGuardWatchesPnl() {
        PromotionGuard guard = PromotionGuard.start(guard(PromotionConfig.Metric.PNL, 0.01, 10), metrics(0.5, 0.03, 20));
        assertFalse(guard.breach(metrics(0.1, 0.025, 20)).isPresent());
        assertTrue(guard.breach(metrics(0.9, 0.019, 20)).isPresent());
    }

    @Test
    void aBaselineWithTooFewSettledDecisionsLeavesTheGuardOffAndSaysSo() {
        FakeDecisions decisions = new FakeDecisions();
        PromotionGuard guard = PromotionGuard.start(guard(PromotionConfig.Metric.PRECISION, 0.05, 50), metrics(0.9, 0, 3));
        assertFalse(guard.active());
        assertTrue(guard.describe().startsWith("off:"), guard.describe());
        PromotionRun run = run(decisions, guard);
        run.first(0, false);
        decisions.performance = metrics(0.0, -1, 500);
        assertEquals(PromotionRun.Next.STEPPED, run.next());
    }

    @Test
    void someoneElseChangingTheLiveVersionStopsThePromotionWithoutRollback() {
        FakeDecisions decisions = new FakeDecisions();
        PromotionRun run = run(decisions, null);
        run.first(0, false);
        decisions.set(Map.of("risk.max_size", PromotionRun.typed(PolicyParameter.RISK_MAX_SIZE, 0.1)), "by hand", 0, false);
        assertEquals(PromotionRun.Next.STOPPED, run.next());
        assertEquals(3, decisions.live);
    }

    @Test
    void continuesUntilReached() {
        FakeDecisions decisions = new FakeDecisions();
        PromotionRun run = run(decisions, null);
        run.first(0, false);
        PromotionRun.Next next;
        int steps = 1;
        do {
            next = run.next();
            steps++;
        } while (next == PromotionRun.Next.STEPPED && steps < 50);
        assertEquals(PromotionRun.Next.REACHED, next);
        assertEquals(0.6, PromotionRun.number(decisions.live().getValuesMap().get("gate.min_confidence"), Double.NaN));
        // 0.2 → 0.6 with α 0.5 and the largest step 0.1: 0.3, 0.4, 0.5, 0.55, 0.575, ... snapped within 0.001
        assertTrue(steps >= 5 && steps < 20, "steps " + steps);
        assertEquals(Status.Code.FAILED_PRECONDITION, org.junit.jupiter.api.Assertions.assertThrows(RequestRefused.class,
                () -> run(decisions, null).first(1, false)).code());
    }

    /**
     * A promotion taken over from a process that died: it goes on from the step it recorded; and when that process
     * made one more step and died before recording it, from that step (same promotion's reason, next number), not
     * refused as if someone else had changed the live version.
     */
    @Test
    void aResumedPromotionGoesOnFromItsRecordedOrUnrecordedLastStep() {
        FakeDecisions decisions = new FakeDecisions();
        PromotionGuard off = PromotionGuard.start(guard(PromotionConfig.Metric.PRECISION, 0.05, 50), metrics(0, 0, 0));
        PromotionRun original = run(decisions, off);
        original.first(0, false);
        assertEquals(PromotionRun.Next.STEPPED, original.next());
        PromotionStore.Stored recorded = new PromotionStore.Stored(1, original.target(), 0.5, "ana: tuned", off,
                original.startVersion(), original.lastVersion(), original.steps());
        assertEquals(PromotionRun.Next.STEPPED, original.next()); // step 3, made and never recorded: the process died

        PromotionRun resumed = PromotionRun.resumed(decisions, recorded, new SmoothingStep(0.5, 0.1, 0.001));
        assertEquals(3, resumed.steps());
        assertEquals(decisions.live().getVersion(), resumed.lastVersion());
        assertEquals(PromotionRun.Next.STEPPED, resumed.next());
        assertTrue(decisions.live().getReason().startsWith("ana: tuned; promotion step 4 toward study \"s\" trial 7 "),
                decisions.live().getReason());

        // someone else's version after the recorded step: not taken for ours, so the run stops at its next step
        PromotionStore.Stored stale = new PromotionStore.Stored(1, original.target(), 0.5, "ana: tuned", off,
                original.startVersion(), resumed.lastVersion(), resumed.steps());
        decisions.set(Map.of("risk.max_size", PromotionRun.typed(PolicyParameter.RISK_MAX_SIZE, 0.1)), "by hand", 0, false);
        PromotionRun again = PromotionRun.resumed(decisions, stale, new SmoothingStep(0.5, 0.1, 0.001));
        assertEquals(4, again.steps());
        assertEquals(PromotionRun.Next.STOPPED, again.next());
    }

    @Test
    void theStoredTargetRoundTripsExactly() {
        Map<String, Double> values = new TreeMap<>(Map.of("gate.min_confidence", 0.1 + 0.2, "risk.max_size", 1e-17,
                "confidence.edge_scale", 7.123456789012345));
        assertEquals(values, PromotionStore.decode(PromotionStore.encode(values)));
    }
}
