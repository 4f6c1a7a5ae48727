package dev.arbiter.engine.features;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One ring of the last closes, shared by the simple moving averages (a running sum per window), momentum, rate of
 * change and the efficiency ratio (lagged closes).
 *
 * <p>Each running sum adds the new close and removes the one leaving its window; every {@code max window} closes
 * the sums are recomputed from the ring, so rounding never outlives one refresh (amortised O(1)).
 *
 * <p>The first four averages are also held in fields and stepped in straight-line code, as {@link ReturnWindows}
 * steps its windows: for a loop over two to four elements the JIT emits pre-, main- and post-loops and a safepoint
 * poll, several times the instructions of the work itself.
 */
final class CloseHistory {

    /** One simple moving average's running sum. */
    private static final class Average {
        final int length;
        /** Where, from the slot of the close being pushed, the close leaving the window lies: {@code slots - length}. */
        final int leaving;
        double sum;
        /** {@code 1 / min(length, count)}: a multiplication per average instead of a division. */
        double inverseCount;

        Average(int length, int slots) {
            this.length = length;
            this.leaving = slots - length;
        }

        double value() {
            return sum * inverseCount;
        }
    }

    /** A mirrored ring (see {@link Rings}) of {@code slots} closes. */
    private final double[] ring;
    private final int slots;
    /** Every average, in the configuration's order (the state's and the output's order). */
    private final Average[] averages;
    /** The first four again, null where absent, and those after them. */
    private final Average a0;
    private final Average a1;
    private final Average a2;
    private final Average a3;
    private final Average[] beyondFour;
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
        this.ring = Rings.mirrored(capacity);
        this.slots = capacity;
        int m = smaWindows.length;
        this.averages = new Average[m];
        for (int i = 0; i < m; i++) {
            averages[i] = new Average(smaWindows[i], capacity);
        }
        this.a0 = m > 0 ? averages[0] : null;
        this.a1 = m > 1 ? averages[1] : null;
        this.a2 = m > 2 ? averages[2] : null;
        this.a3 = m > 3 ? averages[3] : null;
        this.beyondFour = Arrays.copyOfRange(averages, Math.min(4, m), m);
        this.refreshPeriod = longest;
    }

    void push(double x) {
        if (count < slots) {
            pushFilling(x);
            return;
        }
        // The ring is full, so every window is: each drops its oldest close.
        if (a0 != null) {
            slide(a0, x);
            if (a1 != null) {
                slide(a1, x);
                if (a2 != null) {
                    slide(a2, x);
                    if (a3 != null) {
                        slide(a3, x);
                        for (Average a : beyondFour) {
                            slide(a, x);
                        }
                    }
                }
            }
        }
        advance(x);
    }

    /** Moves full average {@code a} on by close {@code x}. */
    private void slide(Average a, double x) {
        a.sum += x - ring[next + a.leaving];
    }

    /** {@link #push} while the ring fills: windows not yet full only add. */
    private void pushFilling(double x) {
        if (count == 0) {
            first = x;
        }
        for (Average a : averages) {
            if (count >= a.length) {
                slide(a, x);
            } else {
                a.sum += x;
                a.inverseCount = 1.0 / (count + 1);
            }
        }
        count++;
        advance(x);
    }

    /** Stores the close in the ring and recomputes the sums when due. */
    private void advance(double x) {
        Rings.put(ring, slots, next, x);
        next = next + 1 == slots ? 0 : next + 1;
        if (++sinceRefresh >= refreshPeriod) {
            refresh();
        }
    }

    /** Recomputes each running sum from the ring, newest close first. */
    private void refresh() {
        int newest = next - 1 + slots; // its second copy: the closes before it lie just below, down to slots - 1 ago
        for (Average a : averages) {
            double s = 0.0;
            for (int k = Math.min(count, a.length) - 1; k >= 0; k--) {
                s += ring[newest - k];
            }
            a.sum = s;
        }
        sinceRefresh = 0;
    }

    /**
     * Writes each average, the mean of the last {@code min(n, closes so far)} closes, into {@code out[k..]} in the
     * configuration's order.
     */
    void writeAverages(double[] out, int k) {
        if (a0 != null) {
            out[k] = a0.value();
            if (a1 != null) {
                out[k + 1] = a1.value();
                if (a2 != null) {
                    out[k + 2] = a2.value();
                    if (a3 != null) {
                        out[k + 3] = a3.value();
                        for (int i = 0; i < beyondFour.length; i++) {
                            out[k + 4 + i] = beyondFour[i].value();
                        }
                    }
                }
            }
        }
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
        return ring[next - 1 - k + slots];
    }

    void reset() {
        Arrays.fill(ring, 0.0);
        for (Average a : averages) {
            a.sum = 0.0;
            a.inverseCount = 0.0;
        }
        next = 0;
        count = 0;
        sinceRefresh = 0;
        first = Double.NaN;
    }

    int stateBytes() {
        return 3 * Integer.BYTES + Double.BYTES * (1 + averages.length + slots);
    }

    void write(ByteBuffer buf) {
        buf.putInt(next).putInt(count).putInt(sinceRefresh).putDouble(first);
        for (Average a : averages) {
            buf.putDouble(a.sum);
        }
        Rings.write(buf, ring, slots);
    }

    void read(ByteBuffer buf) {
        next = buf.getInt();
        count = buf.getInt();
        sinceRefresh = buf.getInt();
        StateIo.checkRing("the close history", slots, next, count, sinceRefresh, refreshPeriod);
        first = buf.getDouble();
        for (Average a : averages) {
            a.sum = buf.getDouble();
        }
        Rings.read(buf, ring, slots);
        for (Average a : averages) {
            int n = Math.min(count, a.length);
            a.inverseCount = n == 0 ? 0.0 : 1.0 / n;
        }
    }
}
