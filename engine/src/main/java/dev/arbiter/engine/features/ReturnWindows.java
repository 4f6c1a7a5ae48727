package dev.arbiter.engine.features;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * One ring of the last log returns, shared by every returns window (volatilities, skewness and kurtosis, the
 * clustering score). Per window it keeps running power sums {@code s_k = sum (r - shift)^k} (k = 1, 2, and 3, 4
 * where skewness and kurtosis are needed), so population variance, skewness and excess kurtosis cost O(1) per
 * return.
 *
 * <p>Numerical stability. Sums around a shift near the mean avoid the cancellation of raw power sums: the relative
 * error of the k-th central moment is about 1e-16 * (1 + |mean - shift| / stddev)^k. Every {@code longest window}
 * returns all sums are recomputed from the ring in one pass, around the newest return, so rounding never outlives
 * one refresh (amortised O(1)). Two events, checked per window on every return, trigger the refresh early: the
 * shift lying more than 8 standard deviations from the window's mean (a trend change), and the window's variance
 * falling below 1% of its peak since the last refresh (10% where skewness and kurtosis are kept) - a volatility
 * collapse, where the rounding left by the large values that have gone would swamp the small ones that remain.
 * Each collapse needs the variance to have been 10 to 100 times larger, so refreshes stay rare on any real series.
 */
final class ReturnWindows {

    /** A variance below this fraction of the raw second moment around the shift is rounding noise: reported as 0. */
    private static final double ZERO_VARIANCE = 1e-12;
    /** Refresh when (mean - shift)^2 exceeds this many variances: the shift is 8 standard deviations off. */
    private static final double RECENTER_RATIO = 64.0;
    /** Refresh when a window's variance falls below this fraction of its peak since the last refresh... */
    private static final double COLLAPSE_RATIO = 1e-2;
    /** ...or this one for windows with fourth powers, whose sums fall as the variance squared. */
    private static final double COLLAPSE_RATIO_FOURTH = 1e-1;

    /** One window's sums and derived values. */
    private static final class Window {
        final int length;
        /** Where, from the slot of the return being added, the return leaving the window lies (see {@link Rings}). */
        final int leaving;
        final double collapseRatio;
        /** {@code min(length, returns so far)} and its reciprocal (not state: derived from the count on read). */
        double count;
        double invCount;
        double s1;
        double s2;
        double s3;
        double s4;
        /** The largest {@code count^2 * variance} since the last refresh. */
        double peak;
        /** The variance after the last return (not state: recomputed on read). */
        double variance;
        /** Its square root, set by {@link ReturnWindows#updateStdDevs} (scratch, not state). */
        double stdDev;

        Window(int length, int slots, double collapseRatio) {
            this.length = length;
            this.leaving = slots - length;
            this.collapseRatio = collapseRatio;
        }

        /** Population variance from the sums; 0 when it is rounding noise. */
        double variance() {
            double a1 = s1 * invCount;
            double a2 = s2 * invCount;
            double m2 = a2 - a1 * a1;
            return m2 <= ZERO_VARIANCE * a2 ? 0.0 : m2;
        }

        /**
         * Updates the variance after the sums changed, and answers whether they need a refresh: 1 when the variance
         * collapsed below its ratio of the peak, or the shift lies too far from the mean; 0 otherwise. The tests
         * are OR-ed without branches: the new-peak test would be a coin flip after each refresh.
         */
        int check() {
            double s2c = s2 * count;
            double s1sq = s1 * s1;
            double spread = s2c - s1sq; // count^2 * variance
            double top = Math.max(peak, spread);
            peak = top;
            variance = variance();
            return (spread < collapseRatio * top ? 1 : 0)
                    | (s1sq > RECENTER_RATIO * spread && spread > ZERO_VARIANCE * s2c ? 1 : 0);
        }

        void reset() {
            count = 0.0;
            invCount = 0.0;
            s1 = 0.0;
            s2 = 0.0;
            s3 = 0.0;
            s4 = 0.0;
            peak = 0.0;
            variance = 0.0;
        }
    }

    /** Every window, in the order of the constructor's lengths (the state's order). */
    private final Window[] all;
    /**
     * The first four windows again, null where absent, and those after them: the full-ring step calls each of
     * the four in straight-line code, which the JIT compiles to about half the time of a loop over the array
     * (whose trip count it does not know).
     */
    private final Window w0;
    private final Window w1;
    private final Window w2;
    private final Window w3;
    private final Window[] beyondFour;
    /** The window that also keeps third and fourth powers (skewness and kurtosis). */
    private final Window moments;
    /** The clustering score's short and long windows. */
    private final Window clusterShort;
    private final Window clusterLong;
    /** The volatility outputs' windows in output order: the first four in fields, as above, then the rest. */
    private final int volatilityCount;
    private final Window v0;
    private final Window v1;
    private final Window v2;
    private final Window v3;
    private final Window[] volatilityBeyondFour;
    /** Windows by increasing length, for the one-pass refresh. */
    private final Window[] byLength;
    /** A mirrored ring (see {@link Rings}) of the last {@code slots} returns, {@code slots} the longest window. */
    private final double[] ring;
    private final int slots;
    private int next;
    private int count;
    private int sinceRefresh;
    private double shift;

    /**
     * @param windows           distinct window lengths
     * @param momentsSlot       the index of the window that needs skewness and kurtosis
     * @param volatilitySlots   the indices of the windows whose standard deviations {@link #writeVolatilities}
     *                          writes, in output order
     * @param clusterShortSlot  the index of the clustering score's short window
     * @param clusterLongSlot   the index of its long window
     */
    ReturnWindows(int[] windows, int momentsSlot, int[] volatilitySlots, int clusterShortSlot, int clusterLongSlot) {
        int m = windows.length;
        Objects.checkIndex(momentsSlot, m);
        this.all = new Window[m];
        int longest = 1;
        for (int w : windows) {
            longest = Math.max(longest, w);
        }
        for (int i = 0; i < m; i++) {
            all[i] = new Window(windows[i], longest, i == momentsSlot ? COLLAPSE_RATIO_FOURTH : COLLAPSE_RATIO);
        }
        this.w0 = all[0];
        this.w1 = m > 1 ? all[1] : null;
        this.w2 = m > 2 ? all[2] : null;
        this.w3 = m > 3 ? all[3] : null;
        this.beyondFour = Arrays.copyOfRange(all, Math.min(4, m), m);
        this.moments = all[momentsSlot];
        this.clusterShort = all[Objects.checkIndex(clusterShortSlot, m)];
        this.clusterLong = all[Objects.checkIndex(clusterLongSlot, m)];
        int v = volatilitySlots.length;
        Window[] volatility = new Window[v];
        for (int i = 0; i < v; i++) {
            volatility[i] = all[Objects.checkIndex(volatilitySlots[i], m)];
        }
        this.volatilityCount = v;
        this.v0 = v > 0 ? volatility[0] : null;
        this.v1 = v > 1 ? volatility[1] : null;
        this.v2 = v > 2 ? volatility[2] : null;
        this.v3 = v > 3 ? volatility[3] : null;
        this.volatilityBeyondFour = Arrays.copyOfRange(volatility, Math.min(4, v), v);
        this.byLength = all.clone();
        Arrays.sort(byLength, Comparator.comparingInt(w -> w.length));
        this.ring = Rings.mirrored(longest);
        this.slots = longest;
    }

    void add(double r) {
        if (count < slots) {
            addFilling(r);
            return;
        }
        // Every window is full: each drops its oldest return. Kept small enough for the JIT to inline it.
        double d = r - shift;
        double d2 = d * d;
        slideMoments(d, d2);
        int refresh = slide(w0, d, d2);
        if (w1 != null) {
            refresh |= slide(w1, d, d2);
            if (w2 != null) {
                refresh |= slide(w2, d, d2);
                if (w3 != null) {
                    refresh |= slide(w3, d, d2);
                    for (Window w : beyondFour) {
                        refresh |= slide(w, d, d2);
                    }
                }
            }
        }
        advance(r, refresh);
    }

    /** Moves full window {@code w} on by one return ({@code d} and {@code d2} around the shift); see check(). */
    private int slide(Window w, double d, double d2) {
        double o = ring[next + w.leaving] - shift;
        w.s1 += d - o;
        w.s2 += d2 - o * o;
        return w.check();
    }

    /** The third and fourth power sums of the full moments window, by one return. */
    private void slideMoments(double d, double d2) {
        double o = ring[next + moments.leaving] - shift;
        double o2 = o * o;
        moments.s3 += d2 * d - o2 * o;
        moments.s4 += d2 * d2 - o2 * o2;
    }

    /** {@link #add} while the ring fills: windows not yet full only add. */
    private void addFilling(double r) {
        if (count == 0) {
            shift = r;
        }
        double d = r - shift;
        double d2 = d * d;
        int refresh = 0;
        for (Window w : all) {
            if (count >= w.length) {
                if (w == moments) {
                    slideMoments(d, d2);
                }
                refresh |= slide(w, d, d2);
            } else {
                w.count = count + 1;
                w.invCount = 1.0 / (count + 1);
                w.s1 += d;
                w.s2 += d2;
                if (w == moments) {
                    w.s3 += d2 * d;
                    w.s4 += d2 * d2;
                }
                refresh |= w.check();
            }
        }
        count++;
        advance(r, refresh);
    }

    /** Stores the return in the ring and refreshes every sum when due or when a window asked for it. */
    private void advance(double r, int refresh) {
        Rings.put(ring, slots, next, r);
        next = next + 1 == slots ? 0 : next + 1;
        if (++sinceRefresh >= slots || refresh != 0) {
            refresh();
        }
    }

    /** Recomputes every window's sums in one pass from the newest return back, around a fresh shift. */
    private void refresh() {
        // The newest return belongs to the current regime (after a collapse the window means still carry the old
        // one), and it lies within a few standard deviations of every window's mean.
        int newest = next - 1 + slots; // its second copy: the returns before it lie just below
        double c = ring[newest];
        shift = c;
        double t1 = 0.0;
        double t2 = 0.0;
        double t3 = 0.0;
        double t4 = 0.0;
        int k = 0;
        for (Window w : byLength) {
            for (int target = Math.min(w.length, count); k < target; k++) {
                double d = ring[newest - k] - c;
                double d2 = d * d;
                t1 += d;
                t2 += d2;
                t3 += d2 * d;
                t4 += d2 * d2;
            }
            w.s1 = t1;
            w.s2 = t2;
            w.s3 = t3;
            w.s4 = t4;
            w.peak = t2 * w.count - t1 * t1;
            w.variance = w.variance();
        }
        sinceRefresh = 0;
    }

    /** Sets each window's standard deviation from its variance; call after an {@link #add}, before reading them. */
    void updateStdDevs() {
        setStdDev(w0);
        if (w1 != null) {
            setStdDev(w1);
            if (w2 != null) {
                setStdDev(w2);
                if (w3 != null) {
                    setStdDev(w3);
                    for (Window w : beyondFour) {
                        setStdDev(w);
                    }
                }
            }
        }
    }

    private static void setStdDev(Window w) {
        w.stdDev = Math.sqrt(w.variance);
    }

    /**
     * Writes the volatility windows' standard deviations as of the last {@link #updateStdDevs} into
     * {@code out[k..]}, in output order; NaN before the first return.
     */
    void writeVolatilities(double[] out, int k) {
        if (count == 0) {
            Arrays.fill(out, k, k + volatilityCount, Double.NaN);
            return;
        }
        if (v0 != null) {
            out[k] = v0.stdDev;
            if (v1 != null) {
                out[k + 1] = v1.stdDev;
                if (v2 != null) {
                    out[k + 2] = v2.stdDev;
                    if (v3 != null) {
                        out[k + 3] = v3.stdDev;
                        for (int i = 0; i < volatilityBeyondFour.length; i++) {
                            out[k + 4 + i] = volatilityBeyondFour[i].stdDev;
                        }
                    }
                }
            }
        }
    }

    /**
     * Writes the moments window's population skewness {@code m3 / m2^1.5} at {@code out[k]} and excess kurtosis
     * {@code m4 / m2^2 - 3} at {@code out[k + 1]} (both 0 when its variance is 0), and the clustering score
     * {@code vol_short / vol_long} at {@code out[cluster]} (1 when the long volatility is 0), as of the last
     * {@link #updateStdDevs}; call once a return has been added. One division serves the moments and, when the long
     * window is the moments window (the defaults), the clustering score.
     */
    void writeMomentsAndClustering(double[] out, int k, int cluster) {
        double inverseVariance = 1.0 / moments.variance;
        double inverseLongVariance = clusterLong == moments ? inverseVariance : 1.0 / clusterLong.variance;
        writeSkewnessAndKurtosis(moments.stdDev, inverseVariance, out, k);
        double longVol = clusterLong.stdDev;
        // The short window lies inside the long one: a zero long volatility means no clustering to measure.
        out[cluster] = longVol > 0.0 ? clusterShort.stdDev * (longVol * inverseLongVariance) : 1.0;
    }

    /**
     * The skewness and kurtosis of {@link #writeMomentsAndClustering}: {@code stdDev} and {@code inverseVariance}
     * are the moments window's standard deviation and {@code 1 / variance}.
     */
    private void writeSkewnessAndKurtosis(double stdDev, double inverseVariance, double[] out, int k) {
        if (!(stdDev > 0.0)) {
            double v = stdDev == 0.0 ? 0.0 : Double.NaN;
            out[k] = v;
            out[k + 1] = v;
            return;
        }
        Window w = moments;
        double inv = w.invCount;
        double a1 = w.s1 * inv;
        double a1sq = a1 * a1;
        double a2 = w.s2 * inv;
        double a3 = w.s3 * inv;
        double m3 = a3 - a1 * (3.0 * a2 - 2.0 * a1sq);
        double m4 = w.s4 * inv - a1 * (4.0 * a3 - a1 * (6.0 * a2 - 3.0 * a1sq));
        // 1 / m2^1.5 = (1 / m2) * (sqrt(m2) / m2)
        out[k] = m3 * inverseVariance * (stdDev * inverseVariance);
        out[k + 1] = m4 * inverseVariance * inverseVariance - 3.0;
    }

    void reset() {
        Arrays.fill(ring, 0.0);
        for (Window w : all) {
            w.reset();
        }
        next = 0;
        count = 0;
        sinceRefresh = 0;
        shift = 0.0;
    }

    int stateBytes() {
        return 3 * Integer.BYTES + Double.BYTES * (1 + 5 * all.length + slots);
    }

    /** The ring's counters and shift, then each sum of every window (all s1, all s2, s3, s4, peaks), then the ring. */
    void write(ByteBuffer buf) {
        buf.putInt(next).putInt(count).putInt(sinceRefresh).putDouble(shift);
        for (Window w : all) {
            buf.putDouble(w.s1);
        }
        for (Window w : all) {
            buf.putDouble(w.s2);
        }
        for (Window w : all) {
            buf.putDouble(w.s3);
        }
        for (Window w : all) {
            buf.putDouble(w.s4);
        }
        for (Window w : all) {
            buf.putDouble(w.peak);
        }
        Rings.write(buf, ring, slots);
    }

    void read(ByteBuffer buf) {
        next = buf.getInt();
        count = buf.getInt();
        sinceRefresh = buf.getInt();
        StateIo.checkRing("the returns", slots, next, count, sinceRefresh, slots);
        shift = buf.getDouble();
        for (Window w : all) {
            w.s1 = buf.getDouble();
        }
        for (Window w : all) {
            w.s2 = buf.getDouble();
        }
        for (Window w : all) {
            w.s3 = buf.getDouble();
        }
        for (Window w : all) {
            w.s4 = buf.getDouble();
        }
        for (Window w : all) {
            w.peak = buf.getDouble();
        }
        Rings.read(buf, ring, slots);
        for (Window w : all) {
            int c = Math.min(count, w.length);
            w.count = c;
            w.invCount = c == 0 ? 0.0 : 1.0 / c;
            w.variance = w.variance();
        }
    }
}
