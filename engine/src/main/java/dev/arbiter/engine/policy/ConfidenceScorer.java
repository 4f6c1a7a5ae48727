package dev.arbiter.engine.policy;

import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_AGREEMENT_WEIGHT;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_EDGE_SCALE;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_TREND_WEIGHT;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_VOLATILITY_PENALTY;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_VOLATILITY_REFERENCE;

/**
 * Multi-signal confidence: how much to trust the ensemble right now, in [0, 1]. The ensemble's edge
 * |2p − 1| is scaled, weighted by model agreement, penalised when volatility runs above normal and raised or
 * lowered by trend strength. Unknown volatility or trend count as neutral here; the gates refuse to act on them.
 */
public final class ConfidenceScorer {

    private ConfidenceScorer() {
    }

    public static double score(PolicyParameters p, double probability, double agreement, double volatility,
                               double trendStrength) {
        return score(p.get(CONFIDENCE_EDGE_SCALE), p.get(CONFIDENCE_AGREEMENT_WEIGHT), p.get(CONFIDENCE_VOLATILITY_PENALTY),
                p.get(CONFIDENCE_TREND_WEIGHT), Math.abs(2 * probability - 1), agreement,
                DecisionGates.excessVolatility(p.get(CONFIDENCE_VOLATILITY_REFERENCE), volatility), knownTrend(trendStrength));
    }

    /**
     * The same score from primitives, for loops that read the parameters once (the simulator). Arithmetic only, no
     * branch and no select, so such a loop can run it on several steps at once (SIMD).
     *
     * @param edge             |2p − 1|
     * @param excessVolatility {@link DecisionGates#excessVolatility}
     * @param trend            {@link #knownTrend}
     */
    public static double score(double edgeScale, double agreementWeight, double volatilityPenalty, double trendWeight,
                               double edge, double agreement, double excessVolatility, double trend) {
        double agreementFactor = 1 - agreementWeight + agreementWeight * agreement;
        double penalty = 1 / (1 + volatilityPenalty * excessVolatility); // exactly 1 at or below the reference
        double c = edgeScale * edge * agreementFactor * penalty * (1 + trendWeight * (trend - 0.5));
        return Math.max(Math.min(c, 1), 0);
    }

    /** The trend strength the score uses: unknown (NaN) counts as neutral, 0.5. */
    public static double knownTrend(double trendStrength) {
        return trendStrength == trendStrength ? trendStrength : 0.5;
    }
}
