package dev.arbiter.engine.policy;

import static dev.arbiter.engine.policy.PolicyParameter.RISK_MIN_SIZE;

import dev.arbiter.engine.rules.CompiledRule;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.rules.RuleKind;
import dev.arbiter.engine.rules.RuleVariables;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The decision policy: confidence → built-in gates → CEL gate rules → risk sizing → CEL sizing rules →
 * exposure caps. One implementation for the live path (decision-service) and for backtests (the simulator),
 * so they cannot drift apart. Stateless and thread-safe; the risk state comes in with {@link PolicyInput}.
 */
public final class DecisionPolicy {

    private final PolicyParameters parameters;

    public DecisionPolicy(PolicyParameters parameters) {
        this.parameters = parameters;
    }

    public PolicyParameters parameters() {
        return parameters;
    }

    /** Decides without rules; allocates nothing. */
    public void decide(PolicyInput in, PolicyResult out) {
        decide(in, CompiledRuleSet.EMPTY, out);
    }

    /**
     * Decides on one observation. Every built-in gate and every gate rule is evaluated (for explanations and
     * gate statistics); sizing rules only when the decision would act. A rule that fails to evaluate blocks
     * (gate) or zeroes the size (sizing): never an action on an error.
     */
    public void decide(PolicyInput in, CompiledRuleSet rules, PolicyResult out) {
        PolicyParameters p = parameters;
        out.leaning = in.probability > 0.5 ? 1 : in.probability < 0.5 ? -1 : 0;
        out.confidence = ConfidenceScorer.score(p, in.probability, in.agreement, in.volatility, in.trendStrength);
        DecisionGates.evaluate(p, in, out);

        double ruleMultiplier = 1;
        out.ruleGatesPassed = true;
        out.ruleCount = 0;
        if (!rules.isEmpty()) {
            out.ensureRuleCapacity(rules.size());
            Map<String, Object> vars = RuleVariables.of(in, out.confidence, out.leaning, rules.featureNames());
            List<CompiledRule> list = rules.rules();
            for (int i = 0; i < list.size(); i++) {
                CompiledRule rule = list.get(i);
                if (rule.kind() == RuleKind.GATE) {
                    double v = evaluate(rule, vars, out, i);
                    out.rulePassed[i] = v == 1;
                    out.ruleValue[i] = v;
                    out.ruleGatesPassed &= v == 1;
                }
            }
            if (out.builtInGatesPassed && out.ruleGatesPassed) {
                for (int i = 0; i < list.size(); i++) {
                    CompiledRule rule = list.get(i);
                    if (rule.kind() == RuleKind.SIZING) {
                        double m = evaluate(rule, vars, out, i);
                        out.ruleValue[i] = m;
                        out.rulePassed[i] = m > 0;
                        ruleMultiplier *= m;
                    }
                }
            } else {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i).kind() == RuleKind.SIZING) {
                        out.ruleValue[i] = Double.NaN;
                        out.rulePassed[i] = true;
                    }
                }
            }
        }

        out.belowMinimumSize = false;
        if (!out.builtInGatesPassed || !out.ruleGatesPassed) {
            clearSizing(out);
            return;
        }
        double size = RiskManager.size(p, in, out, ruleMultiplier);
        out.uncappedSize = size;
        size = RiskManager.cap(p, in, out.leaning, size, out);
        if (size < p.get(RISK_MIN_SIZE) || size <= 0) {
            out.belowMinimumSize = true;
            out.direction = 0;
            out.size = 0;
            return;
        }
        out.direction = out.leaning;
        out.size = size;
    }

    private static double evaluate(CompiledRule rule, Map<String, Object> vars, PolicyResult out, int i) {
        try {
            return rule.evaluate(vars);
        } catch (CelEvaluationException | RuntimeException e) {
            out.ruleError[i] = e.getMessage();
            return 0;
        }
    }

    private static void clearSizing(PolicyResult out) {
        out.direction = 0;
        out.size = 0;
        out.kellySize = 0;
        out.volatilitySize = 0;
        out.brakeFactor = 0;
        out.ruleMultiplier = 0;
        out.metaFactor = 0;
        out.uncappedSize = 0;
        out.bindingCap = 0;
    }

    /**
     * Human-readable reasons, most important first: what was decided, then every gate or rule that blocked,
     * then how the size came about.
     */
    public List<String> reasons(PolicyInput in, CompiledRuleSet rules, PolicyResult out) {
        List<String> reasons = new ArrayList<>();
        String side = out.leaning > 0 ? "rise" : out.leaning < 0 ? "fall" : "neither rise nor fall";
        if (out.acts()) {
            reasons.add(String.format(Locale.ROOT, "%s %.4f: ensemble probability %.3f (%s) with agreement %.2f gives confidence %.3f",
                    out.direction > 0 ? "LONG" : "SHORT", out.size, in.probability, side, in.agreement, out.confidence));
        } else {
            reasons.add(String.format(Locale.ROOT, "FLAT: ensemble probability %.3f (%s), agreement %.2f, confidence %.3f",
                    in.probability, side, in.agreement, out.confidence));
        }
        for (BuiltInGate g : BuiltInGate.values()) {
            if (!out.gatePassed[g.ordinal()]) {
                reasons.add(gateReason(g, out));
            }
        }
        for (int i = 0; i < out.ruleCount; i++) {
            CompiledRule r = rules.rules().get(i);
            if (out.ruleError[i] != null) {
                reasons.add("rule " + r.id() + " failed to evaluate, so it blocks: " + out.ruleError[i]);
            } else if (r.kind() == RuleKind.GATE && !out.rulePassed[i]) {
                reasons.add("rule " + r.id() + " blocked: " + r.definition().expression());
            } else if (r.kind() == RuleKind.SIZING && out.ruleValue[i] == out.ruleValue[i] && out.ruleValue[i] != 1) {
                reasons.add(String.format(Locale.ROOT, "rule %s scaled the size by %.3f", r.id(), out.ruleValue[i]));
            }
        }
        if (out.acts() || out.belowMinimumSize) {
            reasons.add(String.format(Locale.ROOT, "size %.4f = min(Kelly cap %.4f, volatility target %.4f, max size %.4f) x drawdown brake %.2f x rules %.3f",
                    out.uncappedSize, out.kellySize, out.volatilitySize, parameters.get(PolicyParameter.RISK_MAX_SIZE),
                    out.brakeFactor, out.ruleMultiplier));
            if (out.metaFactor != 1) {
                reasons.add(String.format(Locale.ROOT, "x meta factor %.3f (meta probability %.3f, meta.size_weight %.2f)",
                        out.metaFactor, in.metaProbability, parameters.get(PolicyParameter.META_SIZE_WEIGHT)));
            }
            if (out.bindingCap == 1) {
                reasons.add(String.format(Locale.ROOT, "cut to the series exposure cap %.3f (open position %.3f)",
                        parameters.get(PolicyParameter.RISK_MAX_SERIES_EXPOSURE), in.seriesExposure));
            } else if (out.bindingCap == 2) {
                reasons.add(String.format(Locale.ROOT, "cut to the total exposure cap %.3f (open exposure %.3f)",
                        parameters.get(PolicyParameter.RISK_MAX_TOTAL_EXPOSURE), in.totalExposure));
            }
            if (out.belowMinimumSize) {
                reasons.add(String.format(Locale.ROOT, "FLAT because the size is below risk.min_size %.4f",
                        parameters.get(RISK_MIN_SIZE)));
            }
        }
        return reasons;
    }

    /** One line on why a built-in gate blocked. */
    public static String gateReason(BuiltInGate g, PolicyResult out) {
        double v = out.gateValue[g.ordinal()];
        double t = out.gateThreshold[g.ordinal()];
        return switch (g) {
            case WARMUP -> "features are still warming up: too little history for this series";
            case EDGE -> out.leaning < 0 && v >= t
                    ? "short actions are disabled (policy.allow_short = 0)"
                    : String.format(Locale.ROOT, "edge |p - 0.5| = %.4f is below gate.min_edge %.4f", v, t);
            case AGREEMENT -> String.format(Locale.ROOT, "agreement %.3f is below gate.min_agreement %.3f", v, t);
            case CONFIDENCE -> String.format(Locale.ROOT, "confidence %.3f is below the %.3f required at this volatility", v, t);
            case VOLATILITY -> v == v
                    ? String.format(Locale.ROOT, "volatility %.4f is above gate.max_volatility %.4f", v, t)
                    : "volatility is unknown for this observation";
            case TREND -> String.format(Locale.ROOT, "trend strength %.3f is below gate.min_trend %.3f", v, t);
            case COOLDOWN -> String.format(Locale.ROOT, "cooling down after losses: %.0f more observation(s)", v);
            case DRAWDOWN -> String.format(Locale.ROOT, "drawdown %.4f has reached the brake limit %.4f", v, t);
            case META -> v == v
                    ? String.format(Locale.ROOT, "the meta model gives the ensemble's side %.3f to win, below "
                            + "meta.min_probability %.3f", v, t)
                    : "the learned gate is on but no meta model answered for this observation";
            case EXPOSURE -> out.exposureGateCap == 1
                    ? String.format(Locale.ROOT, "no room under risk.max_series_exposure (open exposure %.3f on this "
                            + "series and side, cap %.3f)", v, t)
                    : String.format(Locale.ROOT, "no room under risk.max_total_exposure (open exposure %.3f in total, "
                            + "cap %.3f)", v, t);
        };
    }

    /** One line on why a built-in gate passed, for GateResult.reason. */
    public static String gatePassReason(BuiltInGate g, PolicyResult out) {
        return String.format(Locale.ROOT, "%s %.4f within threshold %.4f", g.gateName(),
                out.gateValue[g.ordinal()], out.gateThreshold[g.ordinal()]);
    }
}
