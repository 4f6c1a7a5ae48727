package dev.arbiter.engine.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecisionPolicyTest {

    private final PolicyParameters defaults = PolicyParameters.defaults();
    private final DecisionPolicy policy = new DecisionPolicy(defaults);
    private final PolicyResult out = new PolicyResult();

    /** A calm, trending market with a confident, unanimous ensemble: every gate should pass. */
    private static PolicyInput favourable(double probability) {
        return new PolicyInput().set(probability, 1.0, 0.01, 0.6, true, 0, 0, 0, 0);
    }

    @Test
    void confidentUnanimousEnsembleInCalmMarketActsOnItsSide() {
        policy.decide(favourable(0.7), out);
        assertEquals(1, out.direction);
        assertTrue(out.size > 0 && out.size <= defaults.get(PolicyParameter.RISK_MAX_SIZE), "size " + out.size);
        policy.decide(favourable(0.3), out);
        assertEquals(-1, out.direction);
    }

    @Test
    void sizeIsTheSmallestOfKellyVolatilityTargetAndMaxSize() {
        PolicyInput in = favourable(0.7);
        policy.decide(in, out);
        double kelly = defaults.get(PolicyParameter.RISK_KELLY_FRACTION) * 0.4;
        double vol = out.confidence * defaults.get(PolicyParameter.RISK_VOLATILITY_TARGET) / 0.01;
        double expected = Math.min(Math.min(kelly, vol), defaults.get(PolicyParameter.RISK_MAX_SIZE));
        assertEquals(expected, out.size, 1e-15);
    }

    @Test
    void confidenceRisesWithEdgeAndAgreementAndFallsWithVolatility() {
        double base = ConfidenceScorer.score(defaults, 0.6, 0.8, 0.01, 0.5);
        assertTrue(ConfidenceScorer.score(defaults, 0.65, 0.8, 0.01, 0.5) > base);
        assertTrue(ConfidenceScorer.score(defaults, 0.6, 1.0, 0.01, 0.5) > base);
        assertTrue(ConfidenceScorer.score(defaults, 0.6, 0.8, 0.05, 0.5) < base);
        assertTrue(ConfidenceScorer.score(defaults, 0.6, 0.8, 0.01, 0.9) > base);
        assertEquals(1.0, ConfidenceScorer.score(defaults, 1.0, 1.0, 0.001, 1.0));
        assertEquals(0.0, ConfidenceScorer.score(defaults, 0.5, 1.0, 0.01, 0.5));
    }

    @Test
    void eachGateBlocksOnItsOwnCondition() {
        assertBlockedBy(favourable(0.7).set(0.7, 1, 0.01, 0.6, false, 0, 0, 0, 0), BuiltInGate.WARMUP);
        assertBlockedBy(favourable(0.51), BuiltInGate.EDGE);
        assertBlockedBy(favourable(0.7).set(0.7, 0.3, 0.01, 0.6, true, 0, 0, 0, 0), BuiltInGate.AGREEMENT);
        assertBlockedBy(favourable(0.7).set(0.7, 1, 0.2, 0.6, true, 0, 0, 0, 0), BuiltInGate.VOLATILITY);
        assertBlockedBy(favourable(0.7).set(0.7, 1, 0.01, 0.6, true, 0, 0, 0, 2), BuiltInGate.COOLDOWN);
        assertBlockedBy(favourable(0.7).set(0.7, 1, 0.01, 0.6, true, 0.2, 0, 0, 0), BuiltInGate.DRAWDOWN);
        assertBlockedBy(favourable(0.7).set(0.7, 1, 0.01, 0.6, true, 0, 1.0, 0, 0), BuiltInGate.EXPOSURE);
        DecisionPolicy trendy = new DecisionPolicy(defaults.with(PolicyParameter.GATE_MIN_TREND, 0.7));
        trendy.decide(favourable(0.7), out);
        assertFalse(out.passed(BuiltInGate.TREND));
        assertEquals(0, out.direction);
        DecisionPolicy longOnly = new DecisionPolicy(defaults.with(PolicyParameter.POLICY_ALLOW_SHORT, 0));
        longOnly.decide(favourable(0.3), out);
        assertFalse(out.passed(BuiltInGate.EDGE));
        assertTrue(longOnly.reasons(favourable(0.3), dev.arbiter.engine.rules.CompiledRuleSet.EMPTY, out).get(1)
                .contains("short actions are disabled"));
    }

    @Test
    void requiredConfidenceRisesWithVolatilityNonLinearly() {
        double calm = DecisionGates.requiredConfidence(defaults, 0.01);
        double wild = DecisionGates.requiredConfidence(defaults, 0.05);
        assertEquals(defaults.get(PolicyParameter.GATE_MIN_CONFIDENCE), calm);
        assertTrue(wild > calm);
        // a decision that passes in calm markets is blocked by the confidence gate when volatility rises
        PolicyInput in = new PolicyInput().set(0.58, 0.9, 0.019, 0.5, true, 0, 0, 0, 0);
        policy.decide(in, out);
        assertTrue(out.passed(BuiltInGate.CONFIDENCE));
        in.volatility = 0.05;
        policy.decide(in, out);
        assertFalse(out.passed(BuiltInGate.CONFIDENCE));
    }

    @Test
    void unknownVolatilityNeverActs() {
        policy.decide(favourable(0.8).set(0.8, 1, Double.NaN, 0.6, true, 0, 0, 0, 0), out);
        assertFalse(out.passed(BuiltInGate.VOLATILITY));
        assertEquals(0, out.direction);
        assertEquals(0, out.size);
    }

    @Test
    void drawdownBrakeShrinksSizesLinearlyBetweenSoftAndLimit() {
        assertEquals(1, RiskManager.brakeFactor(defaults, 0.05));
        assertEquals(0.5, RiskManager.brakeFactor(defaults, 0.10), 1e-12);
        assertEquals(0, RiskManager.brakeFactor(defaults, 0.15));
        policy.decide(favourable(0.7), out);
        double full = out.size;
        policy.decide(favourable(0.7).set(0.7, 1, 0.01, 0.6, true, 0.10, 0, 0, 0), out);
        assertEquals(full / 2, out.size, 1e-12);
    }

    @Test
    void exposureCapsCutTheSize() {
        PolicyInput in = favourable(0.9).set(0.9, 1, 0.001, 0.9, true, 0, 0.9, 0.45, 0);
        policy.decide(in, out);
        assertEquals(1, out.direction);
        assertEquals(0.05, out.size, 1e-12); // series cap 0.5 − open 0.45
        assertEquals(1, out.bindingCap);
        in.seriesExposure = -0.45; // a short open: a long has room up to the total cap
        policy.decide(in, out);
        assertEquals(0.1, out.size, 1e-12);
        assertEquals(2, out.bindingCap);
    }

    @Test
    void exposureGateReportsTheCapThatBlocks() {
        // the series cap 0.5 full on this side, the total at 0.5 of 1.0: the series cap blocks, not the total
        assertExposureBlocked(favourable(0.7).set(0.7, 1, 0.01, 0.6, true, 0, 0.5, 0.5, 0), 0.5, 0.5,
                "no room under risk.max_series_exposure (open exposure 0.500 on this series and side, cap 0.500)");
        // the total full, nothing open on this series: the total cap blocks
        assertExposureBlocked(favourable(0.7).set(0.7, 1, 0.01, 0.6, true, 0, 1.0, 0, 0), 1.0, 1.0,
                "no room under risk.max_total_exposure (open exposure 1.000 in total, cap 1.000)");
    }

    private void assertExposureBlocked(PolicyInput in, double value, double threshold, String reason) {
        policy.decide(in, out);
        assertFalse(out.passed(BuiltInGate.EXPOSURE));
        assertEquals(value, out.gateValue[BuiltInGate.EXPOSURE.ordinal()], 1e-12);
        assertEquals(threshold, out.gateThreshold[BuiltInGate.EXPOSURE.ordinal()], 1e-12);
        assertEquals(reason, DecisionPolicy.gateReason(BuiltInGate.EXPOSURE, out));
    }

    @Test
    void cooldownStartsAfterTheConfiguredRunOfLosses() {
        int losses = 0;
        int cooldown = 0;
        for (int i = 0; i < 2; i++) {
            cooldown = RiskManager.cooldownAfter(defaults, losses, cooldown, -0.01);
            losses = RiskManager.lossesAfter(defaults, losses, -0.01);
        }
        assertEquals(2, losses);
        assertEquals(0, cooldown);
        cooldown = RiskManager.cooldownAfter(defaults, losses, cooldown, -0.01);
        losses = RiskManager.lossesAfter(defaults, losses, -0.01);
        assertEquals(0, losses);
        assertEquals(5, cooldown);
        assertEquals(0, RiskManager.lossesAfter(defaults, 2, 0.01), "a win resets the run");
    }

    @Test
    void parametersRefuseUnknownNamesAndOutOfRangeValuesNamingTheField() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> defaults.with(Map.of("gate.min_confidenc", 0.3)));
        assertTrue(unknown.getMessage().contains("gate.min_confidenc") && unknown.getMessage().contains("gate.min_confidence"));
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> defaults.with(Map.of("risk.max_size", 1.5)));
        assertTrue(range.getMessage().startsWith("risk.max_size = 1.5 is outside [0.0, 1.0]"), range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> defaults.with(Map.of("risk.cooldown_losses", 2.5)));
        assertThrows(IllegalArgumentException.class, () -> defaults.with(Map.of("gate.min_edge", Double.NaN)));
        IllegalArgumentException inconsistent = assertThrows(IllegalArgumentException.class,
                () -> defaults.with(Map.of("risk.drawdown_soft", 0.3)));
        assertTrue(inconsistent.getMessage().contains("risk.drawdown_limit"));
    }

    @Test
    void reasonsExplainTheDecisionAndEveryBlockingGate() {
        PolicyInput in = favourable(0.7).set(0.7, 0.3, 0.2, 0.6, true, 0, 0, 0, 0);
        policy.decide(in, out);
        List<String> reasons = policy.reasons(in, dev.arbiter.engine.rules.CompiledRuleSet.EMPTY, out);
        assertTrue(reasons.get(0).startsWith("FLAT"), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("agreement 0.300 is below")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("volatility 0.2000 is above")), reasons.toString());
        policy.decide(favourable(0.7), out);
        reasons = policy.reasons(favourable(0.7), dev.arbiter.engine.rules.CompiledRuleSet.EMPTY, out);
        assertTrue(reasons.get(0).startsWith("LONG"), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("size ")), reasons.toString());
    }

    @Test
    void decidingWithoutRulesDoesNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        SplittableRandom random = new SplittableRandom(7);
        PolicyInput in = new PolicyInput();
        long tid = Thread.currentThread().getId();
        double sink = run(random, in, 100_000);
        long before = threads.getThreadAllocatedBytes(tid);
        sink += run(random, in, 100_000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 1_000, allocated + " bytes allocated by 100,000 decisions");
        assertTrue(sink > 0);
    }

    private double run(SplittableRandom random, PolicyInput in, int n) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            in.set(random.nextDouble(), random.nextDouble(), random.nextDouble() * 0.05, random.nextDouble(), true,
                    random.nextDouble() * 0.2, random.nextDouble(), random.nextDouble() - 0.5, random.nextInt(3) - 1);
            policy.decide(in, out);
            total += out.size;
        }
        return total;
    }

    @Test
    void learnedGateIsOffByDefaultAndOnceOnBlocksWhatTheMetaModelDoubts() {
        PolicyInput in = favourable(0.7);
        policy.decide(in, out);
        assertTrue(out.passed(BuiltInGate.META), "off by default, so no meta model is needed");
        assertEquals(1.0, out.metaFactor);
        double size = out.size;

        DecisionPolicy gated = new DecisionPolicy(defaults.with(PolicyParameter.META_MIN_PROBABILITY, 0.55));
        gated.decide(in, out);
        assertFalse(out.passed(BuiltInGate.META), "on, with no meta model answer (NaN), it blocks");
        assertEquals(0, out.direction);
        assertTrue(gated.reasons(in, dev.arbiter.engine.rules.CompiledRuleSet.EMPTY, out)
                .contains("the learned gate is on but no meta model answered for this observation"));
        in.metaProbability = 0.54;
        gated.decide(in, out);
        assertFalse(out.passed(BuiltInGate.META));
        assertEquals(0.54, out.gateValue[BuiltInGate.META.ordinal()]);
        assertEquals(0.55, out.gateThreshold[BuiltInGate.META.ordinal()]);
        in.metaProbability = 0.55;
        gated.decide(in, out);
        assertTrue(out.passed(BuiltInGate.META));
        assertEquals(size, out.size, "the gate alone does not change the size");

        DecisionPolicy sized = new DecisionPolicy(defaults.with(PolicyParameter.META_SIZE_WEIGHT, 1));
        in.metaProbability = 0.75;
        sized.decide(in, out);
        assertEquals(MetaGate.betSize(0.75), out.metaFactor, 1e-15);
        assertEquals(size * MetaGate.betSize(0.75), out.size, 1e-12);
        in.metaProbability = 0.5;
        sized.decide(in, out);
        assertEquals(0, out.direction, "a meta probability of one half sizes the bet to 0");
        assertTrue(out.belowMinimumSize);
    }

    @Test
    void betSizeFollowsTheMetaLabellingFormula() {
        assertEquals(0, MetaGate.betSize(Double.NaN));
        assertEquals(0, MetaGate.betSize(0.3));
        assertEquals(0, MetaGate.betSize(0.5));
        assertEquals(1, MetaGate.betSize(1));
        // 2Φ(z) − 1 with z = 0.25 / √(0.75 × 0.25) = 0.57735: Φ(z) = 0.71814
        assertEquals(0.43627, MetaGate.betSize(0.75), 1e-4);
        assertTrue(MetaGate.betSize(0.6) < MetaGate.betSize(0.7) && MetaGate.betSize(0.7) < MetaGate.betSize(0.9));
        assertEquals(1.0, MetaGate.sizeFactor(0, 0.3));
        assertEquals(0.65, MetaGate.sizeFactor(0.5, 0.3), 1e-15);
    }

    @Test
    void metaInputsAreTheEnsembleViewThenTheFeatures() {
        double[] row = new double[7];
        MetaGate.fillInputs(0.3, 0.8, new double[] {9, 1, 2, 3}, 1, 3, row, 0);
        assertArrayEquals(new double[] {0.3, 0.2, 0.8, -1, 1, 2, 3}, row, 1e-15);
        assertEquals(List.of("ensemble_probability", "ensemble_edge", "ensemble_agreement", "ensemble_side", "a"),
                MetaGate.inputNames(List.of("a")));
        assertEquals(1, MetaGate.won(0.3, -0.01));
        assertEquals(0, MetaGate.won(0.3, 0.01));
        assertEquals(0, MetaGate.won(0.5, 0.01), "no side, no win");
    }

    private void assertBlockedBy(PolicyInput in, BuiltInGate gate) {
        policy.decide(in, out);
        assertFalse(out.passed(gate), gate + " should block");
        assertEquals(0, out.direction, gate + " blocked, so the decision is FLAT");
        assertEquals(0, out.size);
        assertFalse(out.builtInGatesPassed);
    }
}
