package dev.arbiter.optimizer.history;

/**
 * Observations of one series in time order; absent columns hold NaN (value is never NaN).
 * The arrays all have {@link #size()} elements and are owned by the caller once returned.
 */
public record SeriesHistory(String seriesId, long[] tsMicros, double[] value, double[] open, double[] high,
        double[] low, double[] volume) {

    public int size() {
        return tsMicros.length;
    }
}
