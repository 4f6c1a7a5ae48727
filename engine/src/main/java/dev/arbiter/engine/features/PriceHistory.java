package dev.arbiter.engine.features;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** The last closes, shared by momentum, rate of change and the efficiency ratio. */
final class PriceHistory {

    private final double[] ring;
    private int next;
    private int count;
    private double first = Double.NaN;

    /** Keeps enough closes to look back {@code maxLag} observations. */
    PriceHistory(int maxLag) {
        this.ring = new double[maxLag + 1];
    }

    void push(double x) {
        if (count == 0) {
            first = x;
        }
        ring[next] = x;
        next = next + 1 == ring.length ? 0 : next + 1;
        if (count < ring.length) {
            count++;
        }
    }

    /**
     * The value {@code k} observations before the latest ({@code ago(0)} is the latest). With fewer than
     * {@code k + 1} values it is the first value, as ta4j's ROCIndicator reads index {@code max(0, i - k)}.
     */
    double ago(int k) {
        if (k >= count) {
            return first;
        }
        int i = next - 1 - k;
        return ring[i < 0 ? i + ring.length : i];
    }

    void reset() {
        Arrays.fill(ring, 0.0);
        next = 0;
        count = 0;
        first = Double.NaN;
    }

    int stateBytes() {
        return 2 * Integer.BYTES + Double.BYTES * (1 + ring.length);
    }

    void write(ByteBuffer buf) {
        buf.putInt(next).putInt(count).putDouble(first);
        RollingPowerSums.putAll(buf, ring);
    }

    void read(ByteBuffer buf) {
        int n = buf.getInt();
        int c = buf.getInt();
        if (c < 0 || c > ring.length || n < 0 || n >= ring.length || (c < ring.length && n != c)) {
            throw new IllegalArgumentException("feature state is inconsistent for the close history: next=" + n
                    + ", count=" + c + " in " + ring.length + " slots");
        }
        next = n;
        count = c;
        first = buf.getDouble();
        RollingPowerSums.getAll(buf, ring);
    }
}
