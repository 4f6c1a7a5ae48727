package dev.arbiter.engine.features;

/**
 * Features over whole arrays, computed by running a {@link FeaturePipeline} over them, so a backtest sees
 * exactly the doubles the live path produces.
 */
public final class FeatureBatch {

    private FeatureBatch() {
    }

    /**
     * Runs the streaming pipeline over {@code n = close.length} observations.
     *
     * @param tsMicros strictly increasing timestamps, length n
     * @param open     may be null (absent); not used by version 1
     * @param high     may be null (absent) or hold NaN for an absent value
     * @param low      may be null (absent) or hold NaN for an absent value
     * @param close    finite positive closes
     * @param volume   may be null (absent); not used by version 1
     * @return row-major {@code n × schema.size()} features: row i is what {@code update} wrote for observation i
     * @throws IllegalArgumentException on mismatched lengths or an observation the pipeline rejects (the message
     *     names the timestamp)
     */
    public static double[] compute(FeatureConfig config, long[] tsMicros, double[] open, double[] high,
                                   double[] low, double[] close, double[] volume) {
        if (close == null) {
            throw new IllegalArgumentException("close is null; pass one close per observation");
        }
        if (tsMicros == null) {
            throw new IllegalArgumentException("tsMicros is null; pass one timestamp per observation");
        }
        int n = close.length;
        checkLength("tsMicros", tsMicros.length, n);
        checkLength("open", open == null ? n : open.length, n);
        checkLength("high", high == null ? n : high.length, n);
        checkLength("low", low == null ? n : low.length, n);
        checkLength("volume", volume == null ? n : volume.length, n);
        FeaturePipeline pipeline = new FeaturePipeline(config);
        int size = pipeline.size();
        if ((long) n * size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(n + " observations × " + size + " features exceed one Java array;"
                    + " split the series and carry the state with writeState/readState, or stream it");
        }
        double[] out = new double[n * size];
        for (int i = 0; i < n; i++) {
            pipeline.update(tsMicros[i],
                    open == null ? Double.NaN : open[i],
                    high == null ? Double.NaN : high[i],
                    low == null ? Double.NaN : low[i],
                    close[i],
                    volume == null ? Double.NaN : volume[i],
                    out, i * size);
        }
        return out;
    }

    private static void checkLength(String field, int length, int n) {
        if (length != n) {
            throw new IllegalArgumentException(field + " has " + length + " values but close has " + n
                    + "; pass arrays of equal length, or null for an absent column");
        }
    }
}
