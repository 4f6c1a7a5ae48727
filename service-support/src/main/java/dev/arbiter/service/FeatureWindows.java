package dev.arbiter.service;

import io.smallrye.config.WithDefault;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The feature windows, read from the same keys ({@code arbiter.features.windows.*}) by every service that computes
 * features: feature-service serves them, optimizer-service builds its datasets with them, and model-service checks
 * model inputs against them until feature-service has told it the schema it serves. One value set in a deployment (the
 * Helm chart's {@code features.windows}) configures them all. A change yields a new feature schema id.
 */
public interface FeatureWindows {

    /** Simple moving average windows, in observations. */
    @WithDefault("5,10,20,50")
    List<Integer> sma();

    /** Exponential moving average windows (multiplier 2/(n+1)). */
    @WithDefault("12,26")
    List<Integer> ema();

    /** Windows of the rolling standard deviation of log returns; the policy reads the median one. */
    @WithDefault("10,20,50")
    List<Integer> volatility();

    /** Average true range window (Wilder smoothing). */
    @WithDefault("14")
    int atr();

    /** Lag of momentum and rate of change. */
    @WithDefault("10")
    int momentum();

    /** Window of rolling skewness and kurtosis of log returns. */
    @WithDefault("50")
    int moments();

    /** Window of the efficiency-ratio regime score (the policy's trend strength). */
    @WithDefault("14")
    int regime();

    /** Short volatility window of the volatility-clustering score. */
    @WithDefault("10")
    int volClusterShort();

    /** Long volatility window of the volatility-clustering score. */
    @WithDefault("50")
    int volClusterLong();

    /** Fixed UTC offset, in minutes, for the time-of-day and day-of-week features. */
    @WithDefault("0")
    int utcOffsetMinutes();

    /**
     * The windows as the engine's parameters ({@code FeatureConfig.fromParameters} builds and checks the configuration
     * from them): {@code "sma_windows" -> "5,10,20,50"}, {@code "atr_window" -> "14"} and so on.
     */
    default Map<String, String> asParameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("sma_windows", join(sma()));
        p.put("ema_windows", join(ema()));
        p.put("volatility_windows", join(volatility()));
        p.put("atr_window", Integer.toString(atr()));
        p.put("momentum_window", Integer.toString(momentum()));
        p.put("moments_window", Integer.toString(moments()));
        p.put("regime_window", Integer.toString(regime()));
        p.put("vol_cluster_short_window", Integer.toString(volClusterShort()));
        p.put("vol_cluster_long_window", Integer.toString(volClusterLong()));
        p.put("utc_offset_minutes", Integer.toString(utcOffsetMinutes()));
        return p;
    }

    private static String join(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
