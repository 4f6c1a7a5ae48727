package dev.arbiter.engine.features;

import java.nio.ByteBuffer;

/**
 * Exponential moving average {@code v += alpha * (x - v)} with ta4j's warm-up: NaN for the first
 * {@code skip} values, seeded with value number {@code skip} (0-based), then recursive. With
 * {@code alpha = 2 / (n + 1)} and {@code skip = n} it is ta4j's EMAIndicator; with {@code alpha = 1 / n} it is
 * Wilder's smoothing (ta4j's MMAIndicator) used by the average true range.
 */
final class ExponentialAverage {

    private final double alpha;
    private final int skip;
    private int seen;
    private double value = Double.NaN;

    ExponentialAverage(double alpha, int skip) {
        this.alpha = alpha;
        this.skip = skip;
    }

    double update(double x) {
        if (seen > skip) {
            value = value + (x - value) * alpha;
        } else if (seen++ == skip) {
            value = x;
        }
        return value;
    }

    /** The average after the last update (NaN during the warm-up). */
    double value() {
        return value;
    }

    void reset() {
        seen = 0;
        value = Double.NaN;
    }

    int stateBytes() {
        return Integer.BYTES + Double.BYTES;
    }

    void write(ByteBuffer buf) {
        buf.putInt(seen).putDouble(value);
    }

    void read(ByteBuffer buf, String name) {
        int s = buf.getInt();
        if (s < 0 || s > skip + 1) {
            throw new IllegalArgumentException("feature state is inconsistent for " + name + ": seen=" + s
                    + " with a warm-up of " + skip);
        }
        seen = s;
        value = buf.getDouble();
    }
}
