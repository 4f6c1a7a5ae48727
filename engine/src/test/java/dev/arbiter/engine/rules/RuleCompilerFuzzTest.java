package dev.arbiter.engine.rules;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arbiter.engine.policy.DecisionPolicy;
import dev.arbiter.engine.policy.PolicyInput;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.policy.PolicyResult;
import java.util.List;

/**
 * Fuzz target: any CEL text a proposer or an operator sends as a rule. It compiles, or is refused with a
 * {@link RuleRejected} that says why; a compiled rule set decides on any input without throwing (an evaluation error
 * fails the rule closed). Anything else escaping is a finding. The saved inputs in RuleCompilerFuzzTestInputs replay
 * in every mvn verify; bench/fuzz.sh fuzzes (bench/README.md, "Fuzzing").
 */
class RuleCompilerFuzzTest {

    private static final List<String> FEATURES = List.of("vol_20", "efficiency_ratio_14", "mom_10");
    private static final RuleCompiler COMPILER = new RuleCompiler(FEATURES);
    private static final DecisionPolicy POLICY = new DecisionPolicy(PolicyParameters.defaults());

    @FuzzTest(maxDuration = "2h") // bench/fuzz.sh bounds a run by its count of inputs
    void anyExpressionCompilesOrIsRefusedAndACompiledRuleNeverThrows(FuzzedDataProvider data) {
        RuleKind kind = data.consumeBoolean() ? RuleKind.GATE : RuleKind.SIZING;
        double probability = data.consumeRegularDouble(0, 1);
        double[] features = {data.consumeDouble(), data.consumeDouble(), data.consumeDouble()};
        String expression = data.consumeRemainingAsString();
        CompiledRuleSet rules;
        try {
            rules = COMPILER.compile(List.of(new RuleDefinition("fuzzed", expression, kind, "")));
        } catch (RuleRejected refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("a refusal must say why: " + expression);
            }
            return;
        }
        PolicyInput in = new PolicyInput().set(probability, 1.0, features[0], features[1], true, 0, 0, 0, 0);
        in.features = features;
        PolicyResult out = new PolicyResult();
        POLICY.decide(in, rules, out);
        if (!(out.size >= 0) || Math.abs(out.direction) > 1) {
            throw new AssertionError("a decision out of range (" + out.direction + ", " + out.size + ") from " + expression);
        }
    }
}
