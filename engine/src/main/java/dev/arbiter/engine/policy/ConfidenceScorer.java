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
        double edge = Math.abs(2 * probability - 1);
        double w = p.get(CONFIDENCE_AGREEMENT_WEIGHT);
        double agreementFactor = 1 - w + w * agreement;
        double penalty = 1;
        if (volatility == volatility) {
            double excess = volatility / p.get(CONFIDENCE_VOLATILITY_REFERENCE) - 1;
            if (excess > 0) {
                penalty = 1 / (1 + p.get(CONFIDENCE_VOLATILITY_PENALTY) * excess);
            }
        }
        double trend = trendStrength == trendStrength ? trendStrength : 0.5;
        double trendMultiplier = 1 + p.get(CONFIDENCE_TREND_WEIGHT) * (trend - 0.5);
        double c = p.get(CONFIDENCE_EDGE_SCALE) * edge * agreementFactor * penalty * trendMultiplier;
        return c <= 0 ? 0 : Math.min(c, 1);
    }
}
