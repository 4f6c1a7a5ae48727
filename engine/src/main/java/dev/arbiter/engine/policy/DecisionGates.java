package dev.arbiter.engine.policy;

import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_VOLATILITY_REFERENCE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_CONFIDENCE_VOLATILITY_SLOPE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MAX_VOLATILITY;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_AGREEMENT;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_CONFIDENCE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_EDGE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_TREND;
import static dev.arbiter.engine.policy.PolicyParameter.META_MIN_PROBABILITY;
import static dev.arbiter.engine.policy.PolicyParameter.POLICY_ALLOW_SHORT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_COOLDOWN_OBSERVATIONS;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_DRAWDOWN_LIMIT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_SERIES_EXPOSURE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_TOTAL_EXPOSURE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MIN_SIZE;

/**
 * The built-in gates. Every gate is evaluated on every decision (so gate statistics can say how often each
 * one blocked, and whether it was right to), and an action needs all of them to pass. Unknown inputs (NaN)
 * never pass a gate: no action on what cannot be measured.
 */
public final class DecisionGates {

    private DecisionGates() {
    }

    /** Evaluates every built-in gate into {@code out}; {@code out.confidence} and {@code out.leaning} must be set. */
    public static void evaluate(PolicyParameters p, PolicyInput in, PolicyResult out) {
        boolean all = true;
        all &= gate(out, BuiltInGate.WARMUP, in.warm, in.warm ? 1 : 0, 1);

        double edge = Math.abs(in.probability - 0.5);
        boolean sideAllowed = out.leaning > 0 || (out.leaning < 0 && p.get(POLICY_ALLOW_SHORT) >= 1);
        all &= gate(out, BuiltInGate.EDGE, sideAllowed && edge >= p.get(GATE_MIN_EDGE), edge, p.get(GATE_MIN_EDGE));

        all &= gate(out, BuiltInGate.AGREEMENT, in.agreement >= p.get(GATE_MIN_AGREEMENT), in.agreement,
                p.get(GATE_MIN_AGREEMENT));

        double required = requiredConfidence(p, in.volatility);
        all &= gate(out, BuiltInGate.CONFIDENCE, out.confidence >= required, out.confidence, required);

        all &= gate(out, BuiltInGate.VOLATILITY, in.volatility <= p.get(GATE_MAX_VOLATILITY), in.volatility,
                p.get(GATE_MAX_VOLATILITY));

        double minTrend = p.get(GATE_MIN_TREND);
        boolean trendOk = minTrend <= 0 || in.trendStrength >= minTrend;
        all &= gate(out, BuiltInGate.TREND, trendOk, in.trendStrength, minTrend);

        all &= gate(out, BuiltInGate.COOLDOWN, in.cooldownRemaining <= 0, in.cooldownRemaining,
                p.get(RISK_COOLDOWN_OBSERVATIONS));

        all &= gate(out, BuiltInGate.DRAWDOWN, in.drawdown < p.get(RISK_DRAWDOWN_LIMIT), in.drawdown,
                p.get(RISK_DRAWDOWN_LIMIT));

        // The gate reports the cap with less room left, the one that blocks: the series' open exposure on this
        // side against risk.max_series_exposure, or the total against risk.max_total_exposure.
        double seriesRoom = RiskManager.seriesHeadroom(p, in, out.leaning);
        double totalRoom = RiskManager.totalHeadroom(p, in);
        out.exposureGateCap = seriesRoom <= totalRoom ? 1 : 2;
        double headroom = Math.min(seriesRoom, totalRoom);
        all &= gate(out, BuiltInGate.EXPOSURE, headroom >= p.get(RISK_MIN_SIZE) && headroom > 0,
                out.exposureGateCap == 1 ? out.leaning * in.seriesExposure : in.totalExposure,
                out.exposureGateCap == 1 ? p.get(RISK_MAX_SERIES_EXPOSURE) : p.get(RISK_MAX_TOTAL_EXPOSURE));

        double minMeta = p.get(META_MIN_PROBABILITY);
        all &= gate(out, BuiltInGate.META, MetaGate.off(minMeta) || in.metaProbability >= minMeta, in.metaProbability,
                minMeta);
        out.builtInGatesPassed = all;
    }

    /**
     * The confidence an action needs: {@code gate.min_confidence} at or below the reference volatility, rising
     * linearly with the excess above it, so calm markets need less conviction than wild ones.
     */
    public static double requiredConfidence(PolicyParameters p, double volatility) {
        return requiredConfidence(p.get(GATE_MIN_CONFIDENCE), p.get(GATE_CONFIDENCE_VOLATILITY_SLOPE),
                excessVolatility(p.get(CONFIDENCE_VOLATILITY_REFERENCE), volatility));
    }

    /** The same from primitives, for loops that read the parameters once (the simulator). */
    public static double requiredConfidence(double minConfidence, double slope, double excessVolatility) {
        return minConfidence * (1 + slope * excessVolatility);
    }

    /**
     * How far volatility runs above the reference, as a fraction of the reference; 0 at or below it and when the
     * volatility is unknown (NaN), which then neither penalises confidence nor raises the confidence required
     * (the volatility gate refuses to act on it).
     */
    public static double excessVolatility(double volatilityReference, double volatility) {
        return excessVolatilityByInverse(1 / volatilityReference, knownVolatility(volatility));
    }

    /** The volatility {@link #excessVolatilityByInverse} reads: unknown (NaN) as 0. */
    public static double knownVolatility(double volatility) {
        return volatility == volatility ? volatility : 0;
    }

    /**
     * {@link #excessVolatility} from the reciprocal of the reference (a loop over one parameter set computes it
     * once) and a known volatility (NaN replaced by 0): arithmetic only, so such a loop can run it on several steps
     * at once.
     */
    public static double excessVolatilityByInverse(double inverseReference, double knownVolatility) {
        return Math.max(knownVolatility * inverseReference - 1, 0);
    }

    private static boolean gate(PolicyResult out, BuiltInGate gate, boolean passed, double value, double threshold) {
        int i = gate.ordinal();
        out.gatePassed[i] = passed;
        out.gateValue[i] = value;
        out.gateThreshold[i] = threshold;
        return passed;
    }
}
