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
        return wilder.update(trueRange(high, low, close, prevClose, hasPrev));
    }

    /**
     * The true range {@code max(|high - low|, |high - prevClose|, |low - prevClose|)}; {@code |close - prevClose|}
     * when high or low is NaN; {@code |high - low|} (or NaN) without a previous close.
     */
    static double trueRange(double high, double low, double close, double prevClose, boolean hasPrev) {
        double range = high - low; // NaN when either is absent (neither is infinite)
        if (range != range) {
            return hasPrev ? Math.abs(close - prevClose) : Double.NaN;
        }
        if (!hasPrev) {
            return Math.abs(range);
        }
        // The largest of the three distances between high, low and prevClose is the highest of the three points
        // less the lowest: the same subtraction, so the same double (rounding is monotonic), with branches that
        // predict well where each Math.max is a NaN-safe blend sequence (4 % of a whole update).
        double top = high;
        double bottom = low;
        if (range < 0.0) {
            top = low;
            bottom = high;
        }
        if (prevClose > top) {
            top = prevClose;
        }
        if (prevClose < bottom) {
            bottom = prevClose;
        }
        return top - bottom;
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
