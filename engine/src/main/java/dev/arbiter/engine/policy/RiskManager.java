package dev.arbiter.engine.policy;

import static dev.arbiter.engine.policy.PolicyParameter.META_SIZE_WEIGHT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_COOLDOWN_LOSSES;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_COOLDOWN_OBSERVATIONS;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_DRAWDOWN_LIMIT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_DRAWDOWN_SOFT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_KELLY_FRACTION;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_SERIES_EXPOSURE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_SIZE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_TOTAL_EXPOSURE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_VOLATILITY_TARGET;

/**
 * Risk sizing and the rules for risk state. Size = min(fractional Kelly, confidence × volatility target /
 * volatility, max size) × meta factor ({@link MetaGate#sizeFactor}) × drawdown brake × sizing-rule multiplier, then cut to what the per-series and total
 * exposure caps leave. The state transitions (cooldown after losses) are here too, so the live service and the
 * simulator apply the same rule.
 */
public final class RiskManager {

    private RiskManager() {
    }

    /** Fills the sizing fields of {@code out} and returns the size before exposure caps. */
    public static double size(PolicyParameters p, PolicyInput in, PolicyResult out, double ruleMultiplier) {
        double kelly = kellySize(p.get(RISK_KELLY_FRACTION), in.probability);
        double volSize = volatilitySize(p.get(RISK_VOLATILITY_TARGET), out.confidence, in.volatility);
        double brake = brakeFactor(p, in.drawdown);
        out.kellySize = kelly;
        out.volatilitySize = volSize;
        out.brakeFactor = brake;
        out.ruleMultiplier = ruleMultiplier;
        double meta = MetaGate.sizeFactor(p.get(META_SIZE_WEIGHT), MetaGate.betSize(in.metaProbability));
        out.metaFactor = meta;
        return baseSize(kelly, volSize, p.get(RISK_MAX_SIZE)) * meta * brake * ruleMultiplier;
    }

    /** Fractional Kelly for an even-odds bet won with probability max(p, 1 − p): fraction × |2p − 1|. */
    public static double kellySize(double kellyFraction, double probability) {
        return kellySizeByEdge(kellyFraction, Math.abs(2 * probability - 1));
    }

    /** {@link #kellySize} from the edge |2p − 1|. */
    public static double kellySizeByEdge(double kellyFraction, double edge) {
        return kellyFraction * edge;
    }

    /** The size that risks {@code target} per observation at this volatility, scaled by confidence. */
    public static double volatilitySize(double target, double confidence, double volatility) {
        return volatilitySizeByInverse(target, confidence, inverseVolatility(volatility));
    }

    /**
     * 1 / volatility, or 0 when the volatility is not positive (unknown or degenerate: no volatility-target size).
     * The simulator computes it once per step of its data; with {@link #volatilitySizeByInverse} the live path
     * computes the same bits.
     */
    public static double inverseVolatility(double volatility) {
        return volatility > 0 ? 1 / volatility : 0;
    }

    /**
     * {@link #volatilitySize} from {@link #inverseVolatility}: a multiplication where the division was, and no
     * select (0 when the inverse is 0), so a loop can run it on several steps at once.
     */
    public static double volatilitySizeByInverse(double target, double confidence, double inverseVolatility) {
        return confidence * target * inverseVolatility;
    }

    /** The smallest of the Kelly cap, the volatility-target size and the maximum size. */
    public static double baseSize(double kelly, double volatilitySize, double maxSize) {
        return Math.min(Math.min(kelly, volatilitySize), maxSize);
    }

    /** 1 below the soft drawdown, 0 at the limit, linear between. */
    public static double brakeFactor(PolicyParameters p, double drawdown) {
        return brakeFactor(p.get(RISK_DRAWDOWN_SOFT), p.get(RISK_DRAWDOWN_LIMIT), drawdown);
    }

    /**
     * The same from primitives. Multiplies by the reciprocal of the range, which a loop over one parameter set (the
     * simulator) computes once; the branches stay (the drawdown seldom crosses soft or limit, so they are predicted).
     */
    public static double brakeFactor(double soft, double limit, double drawdown) {
        if (drawdown <= soft) {
            return 1;
        }
        if (drawdown >= limit) {
            return 0;
        }
        return (limit - drawdown) * (1 / (limit - soft));
    }

    /**
     * The largest size the exposure caps still allow for a new position on side {@code direction}: the
     * series' headroom on that side and the portfolio's, whichever is smaller.
     */
    public static double headroom(PolicyParameters p, PolicyInput in, int direction) {
        return Math.min(seriesHeadroom(p, in, direction), totalHeadroom(p, in));
    }

    /** Room left under risk.max_series_exposure for a new position on side {@code direction}. */
    public static double seriesHeadroom(PolicyParameters p, PolicyInput in, int direction) {
        return p.get(RISK_MAX_SERIES_EXPOSURE) - direction * in.seriesExposure;
    }

    /** Room left under risk.max_total_exposure. */
    public static double totalHeadroom(PolicyParameters p, PolicyInput in) {
        return p.get(RISK_MAX_TOTAL_EXPOSURE) - in.totalExposure;
    }

    /**
     * Cuts {@code size} to the exposure caps; records in {@code out.bindingCap} which cap bound (0 none,
     * 1 series, 2 total).
     */
    public static double cap(PolicyParameters p, PolicyInput in, int direction, double size, PolicyResult out) {
        double series = seriesHeadroom(p, in, direction);
        double total = totalHeadroom(p, in);
        out.bindingCap = 0;
        if (size > series) {
            size = series;
            out.bindingCap = 1;
        }
        if (size > total) {
            size = total;
            out.bindingCap = 2;
        }
        return Math.max(size, 0);
    }

    /**
     * Consecutive losses after one more realised outcome of an action on the series: a loss adds one, a win
     * resets to 0, a flat result (pnl exactly 0) leaves the count. When the count reaches
     * {@code risk.cooldown_losses} a cooldown starts (see {@link #cooldownAfter}) and the count resets.
     */
    public static int lossesAfter(PolicyParameters p, int consecutiveLosses, double pnl) {
        return lossesAfter((int) p.get(RISK_COOLDOWN_LOSSES), consecutiveLosses, pnl);
    }

    /** The same from primitives: {@code trigger} is risk.cooldown_losses. */
    public static int lossesAfter(int trigger, int consecutiveLosses, double pnl) {
        // Selects instead of branches: the sign of a realised pnl is a coin flip, and the simulator calls this
        // on every step, where mispredicted branches would cost more than the rest of the step.
        int loss = pnl < 0 ? 1 : 0;
        int win = pnl > 0 ? 1 : 0;
        int run = (consecutiveLosses + loss) * (1 - win);
        return trigger > 0 & run >= trigger ? 0 : run;
    }

    /**
     * The cooldown left after one more realised outcome: {@code risk.cooldown_observations} when this loss
     * completes a run of {@code risk.cooldown_losses}, otherwise unchanged.
     */
    public static int cooldownAfter(PolicyParameters p, int consecutiveLosses, int cooldownRemaining, double pnl) {
        return cooldownAfter((int) p.get(RISK_COOLDOWN_LOSSES), (int) p.get(RISK_COOLDOWN_OBSERVATIONS),
                consecutiveLosses, cooldownRemaining, pnl);
    }

    /** The same from primitives. */
    public static int cooldownAfter(int trigger, int cooldownObservations, int consecutiveLosses, int cooldownRemaining,
                                    double pnl) {
        boolean starts = pnl < 0 & trigger > 0 & consecutiveLosses + 1 >= trigger;
        return starts ? Math.max(cooldownRemaining, cooldownObservations) : cooldownRemaining;
    }
}
