package dev.arbiter.feature.service;

/**
 * One observation as the service sees it: absent open/high/low/volume are {@code NaN}.
 * Values are checked by service-support's {@link dev.arbiter.service.ObservationRules} before they reach a series.
 */
public record Observation(
        String seriesId, long tsMicros, double open, double high, double low, double close, double volume) {

    /** True when both observations carry the same numbers (absent fields compare equal). */
    boolean sameValues(double open, double high, double low, double close, double volume) {
        return same(this.open, open)
                && same(this.high, high)
                && same(this.low, low)
                && same(this.close, close)
                && same(this.volume, volume);
    }

    private static boolean same(double a, double b) {
        return Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
    }
}
