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
    /** {@code 1 / min(n, count)} per SMA window: a multiplication per average instead of a division. */
    private final double[] smaInverseCount;
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
        this.smaInverseCount = new double[smaWindows.length];
        this.refreshPeriod = longest;
    }

    void push(double x) {
        int len = ring.length;
        if (count < len) {
            pushFilling(x);
            return;
        }
        // The ring is full, so every window is: each drops its oldest close.
        for (int i = 0; i < smaWindows.length; i++) {
            smaSums[i] += x - ring[Rings.wrap(next - smaWindows[i], len)];
        }
        advance(x, len);
    }

    /** {@link #push} while the ring fills: windows not yet full only add. */
    private void pushFilling(double x) {
        if (count == 0) {
            first = x;
        }
        int len = ring.length;
        for (int i = 0; i < smaWindows.length; i++) {
            int w = smaWindows[i];
            if (count >= w) {
                smaSums[i] += x - ring[Rings.wrap(next - w, len)];
            } else {
                smaSums[i] += x;
                smaInverseCount[i] = 1.0 / (count + 1);
            }
        }
        count++;
        advance(x, len);
    }

    /** Stores the close in the ring and recomputes the sums when due. */
    private void advance(double x, int len) {
        ring[next] = x;
        next = next + 1 == len ? 0 : next + 1;
        if (++sinceRefresh >= refreshPeriod) {
            refresh();
        }
    }

    /** Recomputes each running sum from the ring, newest close first. */
    private void refresh() {
        int len = ring.length;
        int newest = Rings.wrap(next - 1, len);
        for (int i = 0; i < smaWindows.length; i++) {
            double s = 0.0;
            for (int k = Math.min(count, smaWindows[i]) - 1; k >= 0; k--) {
                s += ring[Rings.wrap(newest - k, len)];
            }
            smaSums[i] = s;
        }
        sinceRefresh = 0;
    }

    /** Mean of the last {@code min(n, closes so far)} closes, n being SMA window {@code i}. */
    double sma(int i) {
        return smaSums[i] * smaInverseCount[i];
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
        return ring[Rings.wrap(i, ring.length)];
    }

    /**
     * {@code sum |ago(k) - ago(k + 1)|} over {@code k < moves}, oldest move first; needs {@code moves < count()}.
     */
    double pathLength(int moves) {
        int len = ring.length;
        int newest = Rings.wrap(next - 1, len);
        double p = 0.0;
        for (int k = moves - 1; k >= 0; k--) {
            p += Math.abs(ring[Rings.wrap(newest - k, len)] - ring[Rings.wrap(newest - k - 1, len)]);
        }
        return p;
    }

    void reset() {
        Arrays.fill(ring, 0.0);
        Arrays.fill(smaInverseCount, 0.0);
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
        for (int i = 0; i < smaWindows.length; i++) {
            int n = Math.min(count, smaWindows[i]);
            smaInverseCount[i] = n == 0 ? 0.0 : 1.0 / n;
        }
    }
}
