package dev.arbiter.engine.features;

/**
 * What a feature measures, so a reader can find it without knowing its window: the policy looks up its volatility
 * and trend strength by role ({@link FeatureSchema#volatilityFeature()}, {@link FeatureSchema#trendStrengthFeature()}).
 * The contract's {@code FeatureRole} has the same values in the same order.
 */
public enum FeatureRole {
    /** {@code sma_<n>}, {@code ema_<n>}: a moving average of close. */
    MOVING_AVERAGE,
    /** {@code vol_<n>}: standard deviation of log returns per observation. */
    VOLATILITY,
    /** {@code atr_<n>}: average true range. */
    RANGE,
    /** {@code mom_<n>}, {@code roc_<n>}: change of close over a lag. */
    MOMENTUM,
    /** {@code skew_<n>}, {@code kurt_<n>}: shape of the return distribution. */
    DISTRIBUTION,
    /** {@code efficiency_ratio_<n>}: Kaufman efficiency ratio in [0, 1]. */
    TREND_STRENGTH,
    /** {@code vol_cluster_<short>_<long>}: short over long volatility. */
    VOLATILITY_REGIME,
    /** {@code tod_*}, {@code dow_*}: time of day and day of week. */
    CALENDAR,
    /** {@code drawdown}: fall from the running maximum of close. */
    DRAWDOWN
}
