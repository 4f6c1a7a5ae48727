package dev.arbiter.engine.features;

import java.nio.ByteBuffer;

/**
 * Running drawdown {@code close / peak - 1} (0 at a new peak, negative below it) since the first observation,
 * computed as {@code (close - peak) * (1 / peak)}: the difference is exact and the reciprocal changes only with the
 * peak, so an observation below the peak costs no division, and a small drawdown keeps its relative precision (the
 * quotient minus 1 loses it to cancellation).
 */
final class Drawdown {

    private double peak = Double.NaN;
    /** {@code 1 / peak}, so a close below the peak costs a multiplication (not state: recomputed on read). */
    private double inversePeak = Double.NaN;

    void update(double close) {
        if (!(close < peak)) {
            peak = close;
            inversePeak = 1.0 / close;
        }
    }

    /** The drawdown of {@code close}, the last close passed to {@link #update}: 0 at a new peak. */
    double value(double close) {
        return (close - peak) * inversePeak;
    }

    void reset() {
        peak = Double.NaN;
        inversePeak = Double.NaN;
    }

    int stateBytes() {
        return Double.BYTES;
    }

    void write(ByteBuffer buf) {
        buf.putDouble(peak);
    }

    void read(ByteBuffer buf) {
        peak = buf.getDouble();
        inversePeak = 1.0 / peak;
    }
}
