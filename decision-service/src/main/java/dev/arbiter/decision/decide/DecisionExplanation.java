package dev.arbiter.decision.decide;

import dev.arbiter.engine.policy.BuiltInGate;
import dev.arbiter.engine.policy.DecisionPolicy;
import dev.arbiter.engine.policy.PolicyInput;
import dev.arbiter.engine.policy.PolicyResult;
import dev.arbiter.engine.rules.CompiledRule;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.rules.RuleKind;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GateResult;
import dev.arbiter.proto.v1.ShadowDecision;
import dev.arbiter.decision.policy.PolicySnapshot;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Writes what the engine policy decided into a Decision: direction, size, confidence, every gate (built-in gates in
 * evaluation order, then every rule) and the reasons, exactly as {@link DecisionPath} writes them (its addGates), so that a
 * replay explains a decision the same way; the two should become one method.
 */
public final class DecisionExplanation {

    private DecisionExplanation() {}

    public static void apply(Decision.Builder b, DecisionPolicy policy, PolicyInput in, CompiledRuleSet rules, PolicyResult out) {
        b.setDirection(direction(out))
                .setSize(out.size)
                .setConfidence(out.confidence)
                .clearGates()
                .clearReasons();
        gates(out, rules, b::addGates);
        b.addAllReasons(policy.reasons(in, rules, out));
    }

    private static Direction direction(PolicyResult out) {
        return out.direction > 0 ? Direction.DIRECTION_LONG : out.direction < 0 ? Direction.DIRECTION_SHORT : Direction.DIRECTION_FLAT;
    }

    /** Every gate of a decision, built-in gates in evaluation order then every rule, each with its reason. */
    private static void gates(PolicyResult out, CompiledRuleSet rules, Consumer<GateResult> add) {
        for (BuiltInGate g : BuiltInGate.values()) {
            int i = g.ordinal();
            GateResult.Builder r = GateResult.newBuilder()
                    .setName(g.gateName())
                    .setPassed(out.gatePassed[i])
                    .setReason(out.gatePassed[i] ? DecisionPolicy.gatePassReason(g, out) : DecisionPolicy.gateReason(g, out));
            if (Double.isFinite(out.gateValue[i])) {
                r.setValue(out.gateValue[i]);
            }
            if (Double.isFinite(out.gateThreshold[i])) {
                r.setThreshold(out.gateThreshold[i]);
            }
            add.accept(r.build());
        }
        for (int i = 0; i < out.ruleCount && i < rules.size(); i++) {
            CompiledRule rule = rules.rules().get(i);
            String expression = rule.definition().expression();
            GateResult.Builder r = GateResult.newBuilder().setName(rule.id()).setFromRule(true).setPassed(out.rulePassed[i]);
            double v = out.ruleValue[i];
            if (Double.isFinite(v)) {
                r.setValue(v);
            }
            if (out.ruleError[i] != null) {
                r.setReason("failed to evaluate, so it blocks: " + out.ruleError[i]);
            } else if (rule.kind() == RuleKind.GATE) {
                r.setReason((out.rulePassed[i] ? "passed: " : "blocked: ") + expression);
            } else if (Double.isFinite(v)) {
                r.setReason(String.format(Locale.ROOT, "scaled the size by %.3f: %s", v, expression));
            } else {
                r.setReason("not evaluated: the decision does not act");
            }
            add.accept(r.build());
        }
    }

    /**
     * What the shadow run's rules decide on the same input (features, prediction, risk state read before the
     * decision), its gates explained as {@link #apply} explains them (no reasons: nobody reads them); never acted on.
     */
    public static ShadowDecision shadow(DecisionPolicy policy, PolicyInput in, PolicySnapshot.Shadow shadow) {
        ShadowDecision.Builder s = ShadowDecision.newBuilder().setShadowId(shadow.shadowId()).setRuleSetVersion(shadow.ruleSetVersion());
        if (shadow.rules() == null) {
            return s.setDirection(Direction.DIRECTION_FLAT).setError(shadow.error()).build();
        }
        PolicyResult out = new PolicyResult();
        policy.decide(in, shadow.rules(), out);
        s.setDirection(direction(out)).setSize(out.size);
        gates(out, shadow.rules(), s::addGates);
        return s.build();
    }
}
