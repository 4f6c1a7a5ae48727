package dev.arbiter.engine.policy;

/**
 * What the policy sees for one observation: the ensemble's view, the market regime and the risk state just
 * before the decision. Mutable and reusable, so a caller fills one instance per thread and allocates nothing.
 */
public final class PolicyInput {

    /** Ensemble probability that the series rises, in [0, 1]. */
    public double probability;
    /** Weighted share of models on the ensemble's side of 0.5, in [0, 1]. */
    public double agreement;
    /** Volatility: standard deviation of log returns per observation (e.g. feature vol_20); NaN when unknown. */
    public double volatility;
    /** Trend strength in [0, 1] (efficiency ratio: 1 = straight trend, 0 = pure noise); NaN when unknown. */
    public double trendStrength;
    /** True once every feature has seen enough observations to be meaningful. */
    public boolean warm;
    /** Portfolio drawdown from its pnl peak, positive fraction of capital. */
    public double drawdown;
    /** Sum of absolute open position sizes over all series, fraction of capital. */
    public double totalExposure;
    /** Signed open position of this series, fraction of capital. */
    public double seriesExposure;
    /** Observations this series still has to sit out after a run of losses. */
    public int cooldownRemaining;
    /**
     * The meta model's probability that the ensemble's side wins ({@link MetaGate}); NaN when no meta model answered,
     * which the learned gate, when on, does not pass. {@link #set} leaves it alone.
     */
    public double metaProbability = Double.NaN;
    /** Feature values in schema order (for rules); may be null when no rule reads features. */
    public double[] features;

    /** Fills every field; returns this. */
    public PolicyInput set(double probability, double agreement, double volatility, double trendStrength, boolean warm,
                           double drawdown, double totalExposure, double seriesExposure, int cooldownRemaining) {
        this.probability = probability;
        this.agreement = agreement;
        this.volatility = volatility;
        this.trendStrength = trendStrength;
        this.warm = warm;
        this.drawdown = drawdown;
        this.totalExposure = totalExposure;
        this.seriesExposure = seriesExposure;
        this.cooldownRemaining = cooldownRemaining;
        return this;
    }
}
