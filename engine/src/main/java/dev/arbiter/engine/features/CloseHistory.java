package dev.arbiter.engine.features;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One ring of the last closes, shared by the simple moving averages (a running sum per window), momentum, rate of
 * change and the efficiency ratio (lagged closes).
 *
 * <p>Each running sum adds the new close and removes the one leaving its window; every {@code max window} closes
 * the sums are recomputed from the ring, so rounding never outlives one refresh (amortised O(1)).
 */
final class CloseHistory {

    private final double[] ring;
    private final int[] smaWindows;
    private final double[] smaSums;
    private final int refreshPeriod;
    private int next;
    private int count;
    private int sinceRefresh;
    private double first = Double.NaN;

    /** Holds enough closes for every SMA window and for lags up to {@code maxLag + 1}. */
    CloseHistory(int[] smaWindows, int maxLag) {
        int capacity = maxLag + 2;
        int longest = 1;
        for (int w : smaWindows) {
            capacity = Math.max(capacity, w);
            longest = Math.max(longest, w);
        }
        this.ring = new double[capacity];
        this.smaWindows = smaWindows.clone();
        this.smaSums = new double[smaWindows.length];
        this.refreshPeriod = longest;
    }

    void push(double x) {
        if (count == 0) {
            first = x;
        }
        for (int i = 0; i < smaWindows.length; i++) {
            int w = smaWindows[i];
            if (count >= w) {
                int j = next - w;
                smaSums[i] += x - ring[j < 0 ? j + ring.length : j];
            } else {
                smaSums[i] += x;
            }
        }
        ring[next] = x;
        next = next + 1 == ring.length ? 0 : next + 1;
        if (count < ring.length) {
            count++;
        }
        if (++sinceRefresh >= refreshPeriod) {
            for (int i = 0; i < smaWindows.length; i++) {
                double s = 0.0;
                for (int k = Math.min(count, smaWindows[i]) - 1; k >= 0; k--) {
                    s += ago(k);
                }
                smaSums[i] = s;
            }
            sinceRefresh = 0;
        }
    }

    /** Mean of the last {@code min(n, closes so far)} closes, n being SMA window {@code i}. */
    double sma(int i) {
        return smaSums[i] / Math.min(count, smaWindows[i]);
    }

    /** Closes held, up to the ring's capacity. */
    int count() {
        return count;
    }

    /**
     * The close {@code k} observations before the latest ({@code ago(0)} is the latest). With fewer than
     * {@code k + 1} closes it is the first close, as ta4j's ROCIndicator reads index {@code max(0, i - k)}.
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
        Arrays.fill(smaSums, 0.0);
        next = 0;
        count = 0;
        sinceRefresh = 0;
        first = Double.NaN;
    }

    int stateBytes() {
        return 3 * Integer.BYTES + Double.BYTES * (1 + smaSums.length + ring.length);
    }

    void write(ByteBuffer buf) {
        buf.putInt(next).putInt(count).putInt(sinceRefresh).putDouble(first);
        StateIo.putAll(buf, smaSums);
        StateIo.putAll(buf, ring);
    }

    void read(ByteBuffer buf) {
        next = buf.getInt();
        count = buf.getInt();
        sinceRefresh = buf.getInt();
        StateIo.checkRing("the close history", ring.length, next, count, sinceRefresh, refreshPeriod);
        first = buf.getDouble();
        StateIo.getAll(buf, smaSums);
        StateIo.getAll(buf, ring);
    }
}
