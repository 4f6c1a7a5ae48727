package dev.arbiter.engine.drift;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a quantity's distribution can drift in a way a two-sample test should report, read from its name (the
 * feature set's naming contract, {@code dev.arbiter.engine.features.FeaturePipeline}).
 *
 * <p>Price-level features (moving averages, ATR and momentum in price units, drawdown) follow the price, a random
 * walk: two windows of one series months apart differ in distribution whether or not anything changed, so testing
 * them reports the passage of time as drift (the first version of Arbiter's drift check did exactly that). Their
 * information reaches the test at the scale of returns, through {@code roc_*}, {@code vol_*} and the shape
 * features. Calendar features are deterministic functions of the clock. Every other name, including features of
 * other schemas and the model's score, is tested.
 */
public enum FeatureScale {
    /** Stationary enough to test: returns, volatility, shape, regime ratios, the score, any unknown name. */
    RETURN,
    /** Price level ({@code sma_*}, {@code ema_*}, {@code atr_*}, {@code mom_*}, {@code drawdown}): not tested. */
    LEVEL,
    /** Time of day and day of week ({@code tod_*}, {@code dow_*}): not tested. */
    CALENDAR;

    private static final List<String> LEVEL_PREFIXES = List.of("sma_", "ema_", "atr_", "mom_");
    private static final List<String> CALENDAR_PREFIXES = List.of("tod_", "dow_");

    /** The scale of a feature by its name. */
    public static FeatureScale of(String name) {
        if (name.equals("drawdown") || LEVEL_PREFIXES.stream().anyMatch(name::startsWith)) {
            return LEVEL;
        }
        return CALENDAR_PREFIXES.stream().anyMatch(name::startsWith) ? CALENDAR : RETURN;
    }

    private static final Pattern TRAILING_WINDOW = Pattern.compile("_(\\d{1,7})$");

    /**
     * How many consecutive observations of a series one value of the feature spans, read from the name's trailing
     * number ({@code vol_50} → 50, {@code vol_cluster_10_50} → 50); 1 for a name without one (the score, calendar
     * features, features of other schemas). A statistic over a rolling window of w independent values has an
     * integrated autocorrelation time of about w (for a rolling mean, exactly w), which a window of a few hundred
     * values estimates too low, so {@link DriftDetector} never takes τ below it.
     */
    public static int rollingWindow(String name) {
        Matcher m = TRAILING_WINDOW.matcher(name);
        return m.find() ? Math.max(1, Integer.parseInt(m.group(1))) : 1;
    }

    /** Whether quantities of this scale are tested. */
    public boolean tested() {
        return this == RETURN;
    }
}
