package dev.arbiter.engine.features;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One ring of the last log returns, shared by every returns window (volatilities, skewness and kurtosis, the
 * clustering score). Per window it keeps running power sums {@code s_k = sum (r - shift)^k} (k = 1, 2, and 3, 4
 * where skewness and kurtosis are needed), so population variance, skewness and excess kurtosis cost O(1) per
 * return.
 *
 * <p>Numerical stability. Sums around a shift near the mean avoid the cancellation of raw power sums: the relative
 * error of the k-th central moment is about 1e-16 * (1 + |mean - shift| / stddev)^k. Every {@code longest window}
 * returns all sums are recomputed from the ring in one pass, around the newest return, so
 * rounding never outlives one refresh (amortised O(1)). Two events trigger the refresh early: a window's leading
 * power sum falling below 1% of its peak since the last refresh (a volatility collapse: the rounding left by the
 * large values that have gone would swamp the small ones that remain; each such drop needs values 100 times
 * heavier to have left, so it cannot repeat for long), and, checked every 8th return, a shift more than 8 standard
 * deviations from a window's mean.
 */
final class ReturnWindows {

    /** A variance below this fraction of the raw second moment around the shift is rounding noise: reported as 0. */
    private static final double ZERO_VARIANCE = 1e-12;
    /** Refresh when (mean - shift)^2 exceeds this many variances: the shift is 8 standard deviations off. */
    private static final double RECENTER_RATIO = 64.0;
    /** Refresh when a leading power sum has fallen below this fraction of its peak. */
    private static final double COLLAPSE_RATIO = 1e-2;

    private final int[] windows;
    private final boolean[] fourth;
    private final boolean anyFourth;
    /** Window indexes by increasing length, for the one-pass refresh. */
    private final int[] byLength;
    private final double[] ring;
    private final double[] s1;
    private final double[] s2;
    private final double[] s3;
    private final double[] s4;
    private final double[] peak;
    private final double[] invCount;
    private int next;
    private int count;
    private int sinceRefresh;
    private double shift;

    /**
     * @param windows distinct window lengths
     * @param fourth  per window, whether it needs skewness and kurtosis
     */
    ReturnWindows(int[] windows, boolean[] fourth) {
        int m = windows.length;
        this.windows = windows.clone();
        this.fourth = fourth.clone();
        boolean any = false;
        int longest = 1;
        for (int i = 0; i < m; i++) {
            any |= fourth[i];
            longest = Math.max(longest, windows[i]);
        }
        this.anyFourth = any;
        this.byLength = new int[m];
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(windows[a], windows[b]));
        for (int i = 0; i < m; i++) {
            byLength[i] = order[i];
        }
        this.ring = new double[longest];
        this.s1 = new double[m];
        this.s2 = new double[m];
        this.s3 = new double[m];
        this.s4 = new double[m];
        this.peak = new double[m];
        this.invCount = new double[m];
    }

    void add(double r) {
        if (count == 0) {
            shift = r;
        }
        double d = r - shift;
        double d2 = d * d;
        boolean collapse = false;
        for (int i = 0; i < windows.length; i++) {
            int w = windows[i];
            double lead;
            if (count >= w) {
                int j = next - w;
                double o = ring[j < 0 ? j + ring.length : j] - shift;
                double o2 = o * o;
                s1[i] += d - o;
                lead = s2[i] += d2 - o2;
                if (fourth[i]) {
                    s3[i] += d2 * d - o2 * o;
                    lead = s4[i] += d2 * d2 - o2 * o2;
                }
            } else {
                invCount[i] = 1.0 / (count + 1);
                s1[i] += d;
                lead = s2[i] += d2;
                if (fourth[i]) {
                    s3[i] += d2 * d;
                    lead = s4[i] += d2 * d2;
                }
            }
            if (lead > peak[i]) {
                peak[i] = lead;
            } else if (lead < COLLAPSE_RATIO * peak[i]) {
                collapse = true;
            }
        }
        ring[next] = r;
        next = next + 1 == ring.length ? 0 : next + 1;
        if (count < ring.length) {
            count++;
        }
        if (++sinceRefresh >= ring.length || collapse || ((sinceRefresh & 7) == 0 && shiftFarOff())) {
            refresh();
        }
    }

    /** Some window's mean is more than 8 of its standard deviations from the shift, which is not rounding noise. */
    private boolean shiftFarOff() {
        for (int i = 0; i < windows.length; i++) {
            double c = Math.min(count, windows[i]);
            double s1sq = s1[i] * s1[i];
            double spread = s2[i] * c - s1sq; // c^2 * variance
            if ((RECENTER_RATIO + 1.0) * s1sq > RECENTER_RATIO * s2[i] * c && spread > ZERO_VARIANCE * s2[i] * c) {
                return true;
            }
        }
        return false;
    }

    /** Recomputes every window's sums in one pass from the newest return back, around a fresh shift. */
    private void refresh() {
        // The newest return belongs to the current regime (after a collapse the window means still carry the old
        // one), and it lies within a few standard deviations of every window's mean.
        shift = ring[next == 0 ? ring.length - 1 : next - 1];
        double t1 = 0.0;
        double t2 = 0.0;
        double t3 = 0.0;
        double t4 = 0.0;
        int j = 0;
        int idx = next;
        for (int k = 1; k <= count && j < byLength.length; k++) {
            idx = idx == 0 ? ring.length - 1 : idx - 1;
            double d = ring[idx] - shift;
            double d2 = d * d;
            t1 += d;
            t2 += d2;
            if (anyFourth) {
                t3 += d2 * d;
                t4 += d2 * d2;
            }
            while (j < byLength.length && Math.min(windows[byLength[j]], count) == k) {
                int i = byLength[j++];
                s1[i] = t1;
                s2[i] = t2;
                s3[i] = t3;
                s4[i] = t4;
                peak[i] = fourth[i] ? t4 : t2;
            }
        }
        sinceRefresh = 0;
    }

    /** Returns absorbed, up to the longest window. */
    int count() {
        return count;
    }

    /** Population variance of window {@code i} (divides by the count); NaN when empty. */
    double variance(int i) {
        if (count == 0) {
            return Double.NaN;
        }
        double a1 = s1[i] * invCount[i];
        double a2 = s2[i] * invCount[i];
        double m2 = a2 - a1 * a1;
        return m2 <= ZERO_VARIANCE * a2 ? 0.0 : m2;
    }

    /** Population standard deviation of window {@code i}; NaN when empty. */
    double stdDev(int i) {
        return Math.sqrt(variance(i));
    }

    /**
     * Writes the population skewness {@code m3 / m2^1.5} of window {@code i} at {@code out[k]} and its excess
     * kurtosis {@code m4 / m2^2 - 3} at {@code out[k + 1]}: both 0 when the variance is 0, NaN when empty.
     */
    void writeSkewnessAndKurtosis(int i, double[] out, int k) {
        double m2 = variance(i);
        if (!(m2 > 0.0)) {
            double v = m2 == 0.0 ? 0.0 : Double.NaN;
            out[k] = v;
            out[k + 1] = v;
            return;
        }
        double inv = invCount[i];
        double a1 = s1[i] * inv;
        double a1sq = a1 * a1;
        double a2 = s2[i] * inv;
        double a3 = s3[i] * inv;
        double m3 = a3 - a1 * (3.0 * a2 - 2.0 * a1sq);
        double m4 = s4[i] * inv - a1 * (4.0 * a3 - a1 * (6.0 * a2 - 3.0 * a1sq));
        out[k] = m3 / (m2 * Math.sqrt(m2));
        out[k + 1] = m4 / (m2 * m2) - 3.0;
    }

    void reset() {
        Arrays.fill(ring, 0.0);
        Arrays.fill(s1, 0.0);
        Arrays.fill(s2, 0.0);
        Arrays.fill(s3, 0.0);
        Arrays.fill(s4, 0.0);
        Arrays.fill(peak, 0.0);
        Arrays.fill(invCount, 0.0);
        next = 0;
        count = 0;
        sinceRefresh = 0;
        shift = 0.0;
    }

    int stateBytes() {
        return 3 * Integer.BYTES + Double.BYTES * (1 + 5 * windows.length + ring.length);
    }

    void write(ByteBuffer buf) {
        buf.putInt(next).putInt(count).putInt(sinceRefresh).putDouble(shift);
        StateIo.putAll(buf, s1);
        StateIo.putAll(buf, s2);
        StateIo.putAll(buf, s3);
        StateIo.putAll(buf, s4);
        StateIo.putAll(buf, peak);
        StateIo.putAll(buf, ring);
    }

    void read(ByteBuffer buf) {
        next = buf.getInt();
        count = buf.getInt();
        sinceRefresh = buf.getInt();
        StateIo.checkRing("the returns", ring.length, next, count, sinceRefresh, ring.length);
        for (int i = 0; i < windows.length; i++) {
            int c = Math.min(count, windows[i]);
            invCount[i] = c == 0 ? 0.0 : 1.0 / c;
        }
        shift = buf.getDouble();
        StateIo.getAll(buf, s1);
        StateIo.getAll(buf, s2);
        StateIo.getAll(buf, s3);
        StateIo.getAll(buf, s4);
        StateIo.getAll(buf, peak);
        StateIo.getAll(buf, ring);
    }
}
