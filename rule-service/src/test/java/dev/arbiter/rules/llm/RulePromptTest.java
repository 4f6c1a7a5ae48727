package dev.arbiter.rules.llm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.ObservedRange;
import dev.arbiter.proto.v1.RuleEnvironment;
import dev.arbiter.proto.v1.RuleVariable;
import dev.arbiter.rules.config.RulesConfig;
import org.junit.jupiter.api.Test;

/** The system message carries each variable's type and, when decision-service had decisions, its observed range. */
class RulePromptTest {

    static final RulesConfig.Limits LIMITS = new RulesConfig.Limits() {
        public int maxNodes() { return 60; }
        public int maxDepth() { return 12; }
        public int maxConstants() { return 8; }
        public double maxMagnitude() { return 1e6; }
        public int maxStringLength() { return 64; }
        public long costLimit() { return 5000; }
        public long stepBudget() { return 5000; }
        public double duplicateSimilarity() { return 0.9; }
    };

    @Test
    void variablesAndFeaturesCarryTheirObservedRanges() {
        RuleEnvironment env = RuleEnvironment.newBuilder()
                .addVariables(RuleVariable.newBuilder().setName("confidence").setCelType("double").setDescription("score")
                        .setObserved(ObservedRange.newBuilder().setName("confidence").setCount(500).setMin(0.1).setP10(0.2)
                                .setMedian(0.5).setP90(0.8).setMax(0.95)))
                .addVariables(RuleVariable.newBuilder().setName("drawdown").setCelType("double").setDescription("dd"))
                .addObservedFeatures(ObservedRange.newBuilder().setName("features.vol_20").setCount(500).setMin(0.004)
                        .setP10(0.006).setMedian(0.011).setP90(0.02).setMax(0.05))
                .build();
        String system = RulePrompt.system(env, LIMITS);
        assertTrue(system.contains("- confidence (double): score; observed 0.1000 / 0.2000 / 0.5000 / 0.8000 / 0.9500 over 500 decisions"),
                system);
        assertTrue(system.contains("- drawdown (double): dd\n"), "no range when none was observed: " + system);
        assertTrue(system.contains("Observed feature values:\n- features.vol_20: 0.004000 / 0.006000 / 0.01100 / 0.02000 / 0.05000"),
                system);
    }

    @Test
    void withoutObservedDecisionsThereIsNoRangeSection() {
        String system = RulePrompt.system(RuleEnvironment.newBuilder().addVariables(RuleVariable.newBuilder()
                .setName("agreement").setCelType("double").setDescription("share")).build(), LIMITS);
        assertFalse(system.contains("Observed feature values"), system);
        assertFalse(system.contains("; observed "), system);
    }
}
