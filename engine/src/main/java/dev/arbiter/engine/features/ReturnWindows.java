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

    private final int[] windows;
    private final boolean[] fourth;
    /** Window indexes by increasing length, for the one-pass refresh. */
    private final int[] byLength;
    private final double[] ring;
    private final double[] s1;
    private final double[] s2;
    private final double[] s3;
    private final double[] s4;
    /** Per window, the largest {@code count^2 * variance} since the last refresh. */
    private final double[] peak;
    private final double[] collapseRatio;
    private final double[] windowCount;
    private final double[] invCount;
    /** Per window, the variance after the last return (not state: recomputed on read). */
    private final double[] variance;
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
        int longest = 1;
        for (int i = 0; i < m; i++) {
            longest = Math.max(longest, windows[i]);
        }
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
        this.collapseRatio = new double[m];
        for (int i = 0; i < m; i++) {
            collapseRatio[i] = fourth[i] ? COLLAPSE_RATIO_FOURTH : COLLAPSE_RATIO;
        }
        this.windowCount = new double[m];
        this.invCount = new double[m];
        this.variance = new double[m];
    }

    void add(double r) {
        if (count == 0) {
            shift = r;
        }
        double d = r - shift;
        double d2 = d * d;
        double d3 = d2 * d;
        double d4 = d2 * d2;
        int len = ring.length;
        // Collapse and recentre tests of every window, OR-ed without branches: the new-peak test would be a coin
        // flip after each refresh.
        int refresh = 0;
        for (int i = 0; i < windows.length; i++) {
            int w = windows[i];
            if (count >= w) {
                int j = next - w;
                double o = ring[Rings.wrap(j, len)] - shift;
                double o2 = o * o;
                s1[i] += d - o;
                s2[i] += d2 - o2;
                if (fourth[i]) {
                    s3[i] += d3 - o2 * o;
                    s4[i] += d4 - o2 * o2;
                }
            } else {
                windowCount[i] = count + 1;
                invCount[i] = 1.0 / (count + 1);
                s1[i] += d;
                s2[i] += d2;
                if (fourth[i]) {
                    s3[i] += d3;
                    s4[i] += d4;
                }
            }
            double s2c = s2[i] * windowCount[i];
            double s1sq = s1[i] * s1[i];
            double spread = s2c - s1sq; // count^2 * variance
            double top = Math.max(peak[i], spread);
            peak[i] = top;
            refresh |= (spread < collapseRatio[i] * top ? 1 : 0)
                    | (s1sq > RECENTER_RATIO * spread && spread > ZERO_VARIANCE * s2c ? 1 : 0);
            variance[i] = windowVariance(i);
        }
        ring[next] = r;
        next = next + 1 == len ? 0 : next + 1;
        if (count < len) {
            count++;
        }
        if (++sinceRefresh >= len || refresh != 0) {
            refresh();
        }
    }

    /** Recomputes every window's sums in one pass from the newest return back, around a fresh shift. */
    private void refresh() {
        // The newest return belongs to the current regime (after a collapse the window means still carry the old
        // one), and it lies within a few standard deviations of every window's mean.
        int len = ring.length;
        int newest = Rings.wrap(next - 1, len);
        double c = ring[newest];
        shift = c;
        double t1 = 0.0;
        double t2 = 0.0;
        double t3 = 0.0;
        double t4 = 0.0;
        int k = 0;
        for (int i : byLength) {
            for (int target = Math.min(windows[i], count); k < target; k++) {
                double d = ring[Rings.wrap(newest - k, len)] - c;
                double d2 = d * d;
                t1 += d;
                t2 += d2;
                t3 += d2 * d;
                t4 += d2 * d2;
            }
            s1[i] = t1;
            s2[i] = t2;
            s3[i] = t3;
            s4[i] = t4;
            peak[i] = t2 * windowCount[i] - t1 * t1;
            variance[i] = windowVariance(i);
        }
        sinceRefresh = 0;
    }

    /** Population variance of window {@code i} from its sums; 0 when it is rounding noise. */
    private double windowVariance(int i) {
        double a1 = s1[i] * invCount[i];
        double a2 = s2[i] * invCount[i];
        double m2 = a2 - a1 * a1;
        return m2 <= ZERO_VARIANCE * a2 ? 0.0 : m2;
    }

    /** Returns absorbed, up to the longest window. */
    int count() {
        return count;
    }

    /** Population variance of window {@code i} (divides by the count); NaN when empty. */
    double variance(int i) {
        return count == 0 ? Double.NaN : variance[i];
    }

    /** Population standard deviation of window {@code i}; NaN when empty. */
    double stdDev(int i) {
        return Math.sqrt(variance(i));
    }

    /**
     * Writes the population skewness {@code m3 / m2^1.5} of window {@code i} at {@code out[k]} and its excess
     * kurtosis {@code m4 / m2^2 - 3} at {@code out[k + 1]}: both 0 when the variance is 0, NaN when empty.
     * {@code stdDev} is {@link #stdDev}(i) and {@code inverseVariance} is {@code 1 / }{@link #variance}(i), which the
     * caller has computed (one division serves the moments and the clustering score).
     */
    void writeSkewnessAndKurtosis(int i, double stdDev, double inverseVariance, double[] out, int k) {
        if (!(stdDev > 0.0)) {
            double v = stdDev == 0.0 ? 0.0 : Double.NaN;
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
        // 1 / m2^1.5 = (1 / m2) * (sqrt(m2) / m2)
        out[k] = m3 * inverseVariance * (stdDev * inverseVariance);
        out[k + 1] = m4 * inverseVariance * inverseVariance - 3.0;
    }

    void reset() {
        Arrays.fill(ring, 0.0);
        Arrays.fill(s1, 0.0);
        Arrays.fill(s2, 0.0);
        Arrays.fill(s3, 0.0);
        Arrays.fill(s4, 0.0);
        Arrays.fill(peak, 0.0);
        Arrays.fill(windowCount, 0.0);
        Arrays.fill(invCount, 0.0);
        Arrays.fill(variance, 0.0);
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
            windowCount[i] = c;
            invCount[i] = c == 0 ? 0.0 : 1.0 / c;
        }
        shift = buf.getDouble();
        StateIo.getAll(buf, s1);
        StateIo.getAll(buf, s2);
        StateIo.getAll(buf, s3);
        StateIo.getAll(buf, s4);
        StateIo.getAll(buf, peak);
        StateIo.getAll(buf, ring);
        for (int i = 0; i < windows.length; i++) {
            variance[i] = windowVariance(i);
        }
    }
}
