package dev.arbiter.engine.features;

import java.nio.ByteBuffer;

/**
 * Kaufman efficiency ratio {@code |close - close[n]| / sum of the last n |close - previous close|}: 1 for a
 * straight trend, near 0 for a range. Before n moves it uses the moves so far and the first close; 0 when
 * the path has no length.
 */
final class EfficiencyRatio {

    private final int window;
    private final RollingPowerSums moves;

    EfficiencyRatio(int window) {
        this.window = window;
        this.moves = new RollingPowerSums(window, 1);
    }

    double update(double close, double prevClose, boolean hasPrev, PriceHistory history) {
        if (hasPrev) {
            moves.add(Math.abs(close - prevClose));
        }
        double path = moves.sum();
        if (!(path > 0.0)) {
            return 0.0;
        }
        double ratio = Math.abs(close - history.ago(window)) / path;
        return ratio > 1.0 ? 1.0 : ratio;
    }

    void reset() {
        moves.reset();
    }

    int stateBytes() {
        return moves.stateBytes();
    }

    void write(ByteBuffer buf) {
        moves.write(buf);
    }

    void read(ByteBuffer buf, String name) {
        moves.read(buf, name);
    }
}
