package dev.arbiter.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.policy.BuiltInGate;
import dev.arbiter.engine.policy.DecisionPolicy;
import dev.arbiter.engine.policy.PolicyInput;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.policy.PolicyResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleCompilerTest {

    private static final List<String> FEATURES = List.of("vol_20", "efficiency_ratio_14", "mom_10");
    private final RuleCompiler compiler = new RuleCompiler(FEATURES);
    private final DecisionPolicy policy = new DecisionPolicy(PolicyParameters.defaults());

    private static RuleDefinition gate(String id, String expression) {
        return new RuleDefinition(id, expression, RuleKind.GATE, "test");
    }

    private static RuleDefinition sizing(String id, String expression) {
        return new RuleDefinition(id, expression, RuleKind.SIZING, "test");
    }

    private static PolicyInput favourable() {
        PolicyInput in = new PolicyInput().set(0.7, 1.0, 0.01, 0.6, true, 0, 0, 0, 0);
        in.features = new double[] {0.01, 0.6, 0.03};
        return in;
    }

    @Test
    void gateRuleBlocksAndSizingRuleScales() {
        CompiledRuleSet rules = compiler.compile(List.of(
                gate("calm_only", "features.vol_20 < 0.005"),
                sizing("half", "0.5")));
        PolicyResult out = new PolicyResult();
        policy.decide(favourable(), rules, out);
        assertTrue(out.builtInGatesPassed);
        assertFalse(out.ruleGatesPassed);
        assertFalse(out.rulePassed[0]);
        assertEquals(0, out.direction);

        CompiledRuleSet passing = compiler.compile(List.of(
                gate("calm_enough", "features[\"vol_20\"] < 0.02 && agreement >= 0.6"),
                sizing("half", "0.5")));
        PolicyResult scaled = new PolicyResult();
        policy.decide(favourable(), passing, scaled);
        PolicyResult plain = new PolicyResult();
        policy.decide(favourable(), plain);
        assertEquals(1, scaled.direction);
        assertEquals(plain.size / 2, scaled.size, 1e-15);
        assertEquals(0.5, scaled.ruleValue[1]);
    }

    @Test
    void aRuleThatFailsAtRuntimeBlocksInsteadOfActing() {
        CompiledRuleSet rules = compiler.compile(List.of(gate("needs_momentum", "features.mom_10 > 0.0")));
        PolicyInput in = favourable();
        in.features = new double[] {0.01, 0.6, Double.NaN}; // mom_10 missing for this observation
        PolicyResult out = new PolicyResult();
        policy.decide(in, rules, out);
        assertEquals(0, out.direction);
        assertNotNull(out.ruleError[0]);
        assertTrue(policy.reasons(in, rules, out).stream().anyMatch(r -> r.startsWith("rule needs_momentum failed")));
        assertTrue(out.passed(BuiltInGate.EDGE));
    }

    @Test
    void refusesRulesThatDoNotCheckWithTheCheckersMessage() {
        RuleRejected syntax = assertThrows(RuleRejected.class, () -> compiler.compile(gate("bad", "agreement >=")));
        assertEquals("bad", syntax.ruleId());
        assertTrue(syntax.getMessage().contains("does not compile"), syntax.getMessage());

        RuleRejected undeclared = assertThrows(RuleRejected.class, () -> compiler.compile(gate("typo", "agrement > 0.5")));
        assertTrue(undeclared.getMessage().contains("agrement"), undeclared.getMessage());

        RuleRejected type = assertThrows(RuleRejected.class, () -> compiler.compile(gate("not_bool", "confidence * 2.0")));
        assertTrue(type.getMessage().contains("must yield bool"), type.getMessage());

        RuleRejected intSizing = assertThrows(RuleRejected.class, () -> compiler.compile(sizing("int", "1")));
        assertTrue(intSizing.getMessage().contains("write doubles"), intSizing.getMessage());

        RuleRejected feature = assertThrows(RuleRejected.class, () -> compiler.compile(gate("f", "features.vol_21 < 0.1")));
        assertTrue(feature.getMessage().contains("[vol_21]") && feature.getMessage().contains("vol_20"), feature.getMessage());

        RuleRejected dynamicKey = assertThrows(RuleRejected.class,
                () -> compiler.compile(gate("k", "features[string(confidence)] < 0.1")));
        assertTrue(dynamicKey.getMessage().contains("constant feature name"), dynamicKey.getMessage());

        assertThrows(RuleRejected.class, () -> compiler.compile(gate("Bad-Id", "true")));
        assertThrows(RuleRejected.class, () -> compiler.compile(new RuleDefinition("nokind", "true", null, "")));
        assertThrows(RuleRejected.class, () -> compiler.compile(gate("empty", "  ")));
        assertThrows(RuleRejected.class, () -> compiler.compile(List.of(gate("same", "true"), gate("same", "false"))));
    }

    @Test
    void boundsTheCostOfARule() {
        StringBuilder big = new StringBuilder("confidence > 0.0");
        for (int i = 0; i < 120; i++) {
            big.append(" && confidence > 0.0");
        }
        RuleRejected tooBig = assertThrows(RuleRejected.class, () -> compiler.compile(gate("big", big.toString())));
        assertTrue(tooBig.getMessage().contains("nodes") || tooBig.getMessage().contains("characters"), tooBig.getMessage());
        RuleRejected tooLong = assertThrows(RuleRejected.class,
                () -> compiler.compile(gate("long", "true || " + "x".repeat(RuleCompiler.MAX_EXPRESSION_LENGTH))));
        assertTrue(tooLong.getMessage().contains("characters"), tooLong.getMessage());
    }

    @Test
    void macrosOverFeaturesWork() {
        CompiledRuleSet rules = compiler.compile(List.of(gate("all_small", "features.all(k, features[k] < 1.0)")));
        PolicyResult out = new PolicyResult();
        policy.decide(favourable(), rules, out);
        assertTrue(out.rulePassed[0]);
        assertEquals(1, out.direction);
    }
}
