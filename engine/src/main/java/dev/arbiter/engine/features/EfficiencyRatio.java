package dev.arbiter.engine.features;

import java.nio.ByteBuffer;

/**
 * Kaufman efficiency ratio {@code |close - close[n]| / sum of the last n |close - previous close|}: 1 for a
 * straight trend, near 0 for a range. Before n moves it uses the moves so far and the first close; 0 when the path
 * has no length. The path is a running sum over the shared close history, recomputed from it every n closes.
 */
final class EfficiencyRatio {

    private final int window;
    private double path;
    private int sinceRefresh;

    EfficiencyRatio(int window) {
        this.window = window;
    }

    /** Call after {@code history.push(close)}; the history must hold {@code window + 2} closes. */
    void update(CloseHistory history) {
        int closes = history.count();
        if (closes >= 2) {
            path += Math.abs(history.ago(0) - history.ago(1));
            if (closes >= window + 2) {
                path -= Math.abs(history.ago(window) - history.ago(window + 1));
            }
        }
        if (++sinceRefresh >= window) {
            path = history.pathLength(Math.min(window, closes - 1));
            sinceRefresh = 0;
        }
    }

    /** The ratio after the last {@link #update} over the same history. */
    double value(CloseHistory history) {
        if (!(path > 0.0)) {
            return 0.0;
        }
        double ratio = Math.abs(history.ago(0) - history.ago(window)) / path;
        return ratio > 1.0 ? 1.0 : ratio;
    }

    void reset() {
        path = 0.0;
        sinceRefresh = 0;
    }

    int stateBytes() {
        return Integer.BYTES + Double.BYTES;
    }

    void write(ByteBuffer buf) {
        buf.putInt(sinceRefresh).putDouble(path);
    }

    void read(ByteBuffer buf, String name) {
        int s = buf.getInt();
        if (s < 0 || s >= window) {
            throw new IllegalArgumentException("feature state is inconsistent for " + name + ": refresh counter " + s
                    + " in a window of " + window);
        }
        sinceRefresh = s;
        path = buf.getDouble();
    }
}
