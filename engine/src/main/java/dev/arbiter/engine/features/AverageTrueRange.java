package dev.arbiter.engine.features;

import java.nio.ByteBuffer;

/**
 * Average true range as ta4j's ATRIndicator: Wilder smoothing (alpha = 1 / n) of the true range
 * {@code max(high - low, |high - prevClose|, |low - prevClose|)}, NaN for the first n observations and seeded
 * with the true range of observation n (0-based). When high or low is absent (NaN) the true range falls back
 * to {@code |close - prevClose|}, which is also what ta4j computes for a bar with high = low = close.
 */
final class AverageTrueRange {

    private final ExponentialAverage wilder;

    AverageTrueRange(int window) {
        this.wilder = new ExponentialAverage(1.0 / window, window);
    }

    /** {@code prevClose} is ignored when {@code hasPrev} is false (the first observation is always skipped). */
    double update(double high, double low, double close, double prevClose, boolean hasPrev) {
        double tr;
        if (!hasPrev) {
            tr = Double.isNaN(high) || Double.isNaN(low) ? Double.NaN : Math.abs(high - low);
        } else if (Double.isNaN(high) || Double.isNaN(low)) {
            tr = Math.abs(close - prevClose);
        } else {
            tr = Math.max(Math.max(Math.abs(high - low), Math.abs(high - prevClose)), Math.abs(prevClose - low));
        }
        return wilder.update(tr);
    }

    /** The average true range after the last update (NaN during the warm-up). */
    double value() {
        return wilder.value();
    }

    void reset() {
        wilder.reset();
    }

    int stateBytes() {
        return wilder.stateBytes();
    }

    void write(ByteBuffer buf) {
        wilder.write(buf);
    }

    void read(ByteBuffer buf, String name) {
        wilder.read(buf, name);
    }
}
