package dev.arbiter.engine.features;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Windows of the streaming feature set. Immutable; build one with {@link #builder()} or take
 * {@link #defaults()}.
 *
 * <p>Defaults (all counts are observations):
 * <ul>
 *   <li>{@code smaWindows} {5, 10, 20, 50}: simple moving averages of close.</li>
 *   <li>{@code emaWindows} {12, 26}: exponential moving averages of close, alpha = 2 / (n + 1).</li>
 *   <li>{@code volatilityWindows} {10, 20, 50}: population standard deviation of log returns.</li>
 *   <li>{@code atrWindow} 14: average true range with Wilder smoothing (alpha = 1 / n).</li>
 *   <li>{@code momentumWindow} 10: momentum {@code close - close[n]} and rate of change
 *       {@code 100 * (close - close[n]) / close[n]}.</li>
 *   <li>{@code momentsWindow} 50: rolling skewness and excess kurtosis of log returns.</li>
 *   <li>{@code regimeWindow} 14: Kaufman efficiency ratio {@code |close - close[n]| / sum |close - close[-1]|}.</li>
 *   <li>{@code volClusterShortWindow} 10 and {@code volClusterLongWindow} 50: volatility clustering score
 *       = short volatility / long volatility.</li>
 *   <li>{@code utcOffsetMinutes} 0: fixed offset applied to timestamps before time-of-day and day-of-week.</li>
 * </ul>
 * Window arrays may be empty (that family of features is then absent) but must not repeat a window.
 */
public final class FeatureConfig {

    /** Largest window accepted: 2^20 observations (8 MiB of state per window). */
    public static final int MAX_WINDOW = 1 << 20;
    /** Largest absolute UTC offset accepted, as java.time.ZoneOffset: 18 hours. */
    public static final int MAX_UTC_OFFSET_MINUTES = 18 * 60;

    private static final FeatureConfig DEFAULTS = builder().build();

    private final int[] smaWindows;
    private final int[] emaWindows;
    private final int[] volatilityWindows;
    private final int atrWindow;
    private final int momentumWindow;
    private final int momentsWindow;
    private final int regimeWindow;
    private final int volClusterShortWindow;
    private final int volClusterLongWindow;
    private final int utcOffsetMinutes;

    private FeatureConfig(Builder b) {
        this.smaWindows = b.smaWindows.clone();
        this.emaWindows = b.emaWindows.clone();
        this.volatilityWindows = b.volatilityWindows.clone();
        this.atrWindow = b.atrWindow;
        this.momentumWindow = b.momentumWindow;
        this.momentsWindow = b.momentsWindow;
        this.regimeWindow = b.regimeWindow;
        this.volClusterShortWindow = b.volClusterShortWindow;
        this.volClusterLongWindow = b.volClusterLongWindow;
        this.utcOffsetMinutes = b.utcOffsetMinutes;
    }

    /** The documented defaults. */
    public static FeatureConfig defaults() {
        return DEFAULTS;
    }

    /** A builder preset to the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset to this configuration. */
    public Builder toBuilder() {
        return new Builder()
                .smaWindows(smaWindows)
                .emaWindows(emaWindows)
                .volatilityWindows(volatilityWindows)
                .atrWindow(atrWindow)
                .momentumWindow(momentumWindow)
                .momentsWindow(momentsWindow)
                .regimeWindow(regimeWindow)
                .volClusterShortWindow(volClusterShortWindow)
                .volClusterLongWindow(volClusterLongWindow)
                .utcOffsetMinutes(utcOffsetMinutes);
    }

    /** Simple moving average windows, default {5, 10, 20, 50}. */
    public int[] smaWindows() {
        return smaWindows.clone();
    }

    /** Exponential moving average windows, default {12, 26}. */
    public int[] emaWindows() {
        return emaWindows.clone();
    }

    /** Windows of the standard deviation of log returns, default {10, 20, 50}. */
    public int[] volatilityWindows() {
        return volatilityWindows.clone();
    }

    /** Average true range window (Wilder smoothing, as ta4j's ATRIndicator), default 14. */
    public int atrWindow() {
        return atrWindow;
    }

    /** Lag of momentum and rate of change, default 10. */
    public int momentumWindow() {
        return momentumWindow;
    }

    /** Window of rolling skewness and excess kurtosis of log returns, default 50. */
    public int momentsWindow() {
        return momentsWindow;
    }

    /** Window of the Kaufman efficiency ratio, default 14. */
    public int regimeWindow() {
        return regimeWindow;
    }

    /** Short volatility window of the clustering score, default 10. */
    public int volClusterShortWindow() {
        return volClusterShortWindow;
    }

    /** Long volatility window of the clustering score, default 50. */
    public int volClusterLongWindow() {
        return volClusterLongWindow;
    }

    /** Fixed offset from UTC, in minutes, for time of day and day of week; default 0. */
    public int utcOffsetMinutes() {
        return utcOffsetMinutes;
    }

    /** The configuration as ordered string parameters, e.g. {@code "sma_windows" -> "5,10,20,50"}. */
    public Map<String, String> asParameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("sma_windows", join(smaWindows));
        p.put("ema_windows", join(emaWindows));
        p.put("volatility_windows", join(volatilityWindows));
        p.put("atr_window", Integer.toString(atrWindow));
        p.put("momentum_window", Integer.toString(momentumWindow));
        p.put("moments_window", Integer.toString(momentsWindow));
        p.put("regime_window", Integer.toString(regimeWindow));
        p.put("vol_cluster_short_window", Integer.toString(volClusterShortWindow));
        p.put("vol_cluster_long_window", Integer.toString(volClusterLongWindow));
        p.put("utc_offset_minutes", Integer.toString(utcOffsetMinutes));
        return Collections.unmodifiableMap(p);
    }

    /**
     * The configuration of these parameters, as {@link #asParameters()} writes them (and a FeatureSchema carries them);
     * a parameter left out keeps its default.
     *
     * @throws IllegalArgumentException naming an unknown parameter, a value that is not a number, or a window out of range
     */
    public static FeatureConfig fromParameters(Map<String, String> parameters) {
        Builder b = builder();
        parameters.forEach((name, value) -> {
            switch (name) {
                case "sma_windows" -> b.smaWindows(windows(name, value));
                case "ema_windows" -> b.emaWindows(windows(name, value));
                case "volatility_windows" -> b.volatilityWindows(windows(name, value));
                case "atr_window" -> b.atrWindow(number(name, value));
                case "momentum_window" -> b.momentumWindow(number(name, value));
                case "moments_window" -> b.momentsWindow(number(name, value));
                case "regime_window" -> b.regimeWindow(number(name, value));
                case "vol_cluster_short_window" -> b.volClusterShortWindow(number(name, value));
                case "vol_cluster_long_window" -> b.volClusterLongWindow(number(name, value));
                case "utc_offset_minutes" -> b.utcOffsetMinutes(number(name, value));
                default -> throw new IllegalArgumentException("unknown feature parameter \"" + name + "\"; known: "
                        + DEFAULTS.asParameters().keySet());
            }
        });
        return b.build();
    }

    private static int[] windows(String name, String value) {
        if (value.isBlank()) {
            return new int[0];
        }
        String[] parts = value.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = number(name, parts[i]);
        }
        return out;
    }

    private static int number(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is \"" + value + "\"; write whole numbers, windows separated by commas");
        }
    }

    private static String join(int[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(values[i]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FeatureConfig)) {
            return false;
        }
        FeatureConfig c = (FeatureConfig) o;
        return Arrays.equals(smaWindows, c.smaWindows)
                && Arrays.equals(emaWindows, c.emaWindows)
                && Arrays.equals(volatilityWindows, c.volatilityWindows)
                && atrWindow == c.atrWindow
                && momentumWindow == c.momentumWindow
                && momentsWindow == c.momentsWindow
                && regimeWindow == c.regimeWindow
                && volClusterShortWindow == c.volClusterShortWindow
                && volClusterLongWindow == c.volClusterLongWindow
                && utcOffsetMinutes == c.utcOffsetMinutes;
    }

    @Override
    public int hashCode() {
        return asParameters().hashCode();
    }

    @Override
    public String toString() {
        return "FeatureConfig" + asParameters();
    }

    /** Mutable builder; {@link #build()} validates and names the offending field. */
    public static final class Builder {
        private int[] smaWindows = {5, 10, 20, 50};
        private int[] emaWindows = {12, 26};
        private int[] volatilityWindows = {10, 20, 50};
        private int atrWindow = 14;
        private int momentumWindow = 10;
        private int momentsWindow = 50;
        private int regimeWindow = 14;
        private int volClusterShortWindow = 10;
        private int volClusterLongWindow = 50;
        private int utcOffsetMinutes = 0;

        private Builder() {
        }

        /** Simple moving average windows (each 1..2^20, distinct; may be empty). */
        public Builder smaWindows(int... windows) {
            this.smaWindows = windows == null ? null : windows.clone();
            return this;
        }

        /** Exponential moving average windows (each 1..2^20, distinct; may be empty). */
        public Builder emaWindows(int... windows) {
            this.emaWindows = windows == null ? null : windows.clone();
            return this;
        }

        /** Volatility windows in returns (each 2..2^20, distinct; may be empty). */
        public Builder volatilityWindows(int... windows) {
            this.volatilityWindows = windows == null ? null : windows.clone();
            return this;
        }

        /** Average true range window, 1..2^20. */
        public Builder atrWindow(int window) {
            this.atrWindow = window;
            return this;
        }

        /** Momentum and rate-of-change lag, 1..2^20. */
        public Builder momentumWindow(int window) {
            this.momentumWindow = window;
            return this;
        }

        /** Skewness and kurtosis window in returns, 3..2^20. */
        public Builder momentsWindow(int window) {
            this.momentsWindow = window;
            return this;
        }

        /** Efficiency ratio window, 1..2^20. */
        public Builder regimeWindow(int window) {
            this.regimeWindow = window;
            return this;
        }

        /** Short volatility window of the clustering score, 2..2^20 and below the long window. */
        public Builder volClusterShortWindow(int window) {
            this.volClusterShortWindow = window;
            return this;
        }

        /** Long volatility window of the clustering score, 3..2^20 and above the short window. */
        public Builder volClusterLongWindow(int window) {
            this.volClusterLongWindow = window;
            return this;
        }

        /** Fixed UTC offset in minutes, -1080..1080. */
        public Builder utcOffsetMinutes(int minutes) {
            this.utcOffsetMinutes = minutes;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the field and the accepted range
         */
        public FeatureConfig build() {
            checkWindows("smaWindows", smaWindows, 1);
            checkWindows("emaWindows", emaWindows, 1);
            checkWindows("volatilityWindows", volatilityWindows, 2);
            checkWindow("atrWindow", atrWindow, 1);
            checkWindow("momentumWindow", momentumWindow, 1);
            checkWindow("momentsWindow", momentsWindow, 3);
            checkWindow("regimeWindow", regimeWindow, 1);
            checkWindow("volClusterShortWindow", volClusterShortWindow, 2);
            checkWindow("volClusterLongWindow", volClusterLongWindow, 3);
            if (volClusterLongWindow <= volClusterShortWindow) {
                throw new IllegalArgumentException("volClusterLongWindow is " + volClusterLongWindow
                        + " but must be greater than volClusterShortWindow (" + volClusterShortWindow + ")");
            }
            if (Math.abs(utcOffsetMinutes) > MAX_UTC_OFFSET_MINUTES) {
                throw new IllegalArgumentException("utcOffsetMinutes is " + utcOffsetMinutes
                        + " but must be between -" + MAX_UTC_OFFSET_MINUTES + " and " + MAX_UTC_OFFSET_MINUTES);
            }
            return new FeatureConfig(this);
        }

        private static void checkWindows(String field, int[] windows, int min) {
            if (windows == null) {
                throw new IllegalArgumentException(field + " is null; pass an array (it may be empty)");
            }
            for (int i = 0; i < windows.length; i++) {
                checkWindow(field + "[" + i + "]", windows[i], min);
                for (int j = 0; j < i; j++) {
                    if (windows[j] == windows[i]) {
                        throw new IllegalArgumentException(field + " repeats window " + windows[i]
                                + " (at " + j + " and " + i + "); list each window once");
                    }
                }
            }
        }

        private static void checkWindow(String field, int window, int min) {
            if (window < min || window > MAX_WINDOW) {
                throw new IllegalArgumentException(field + " is " + window + " but must be between "
                        + min + " and " + MAX_WINDOW);
            }
        }
    }
}
