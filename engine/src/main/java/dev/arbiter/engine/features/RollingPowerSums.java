package dev.arbiter.engine.features;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The last {@code window} values with the sums of {@code (x - shift)^k}, k = 1..order, so that the mean, the
 * population variance, the skewness and the excess kurtosis of the window cost O(1) per value.
 *
 * <p>Numerical stability. The running sums are Neumaier-compensated (adding the new value and removing the
 * oldest does not accumulate drift), and every {@code window} values they are replaced by fresh add-only sums
 * of exactly the values then in the window, accumulated on the side since the last refresh, so that errors
 * never outlive one window and the work stays O(1) per value (no recompute loop). Moments are taken around a
 * shift, the first value of the window being refreshed, to avoid the cancellation of raw power sums: the
 * relative error of the k-th central moment is about 1e-16 * (1 + |mean - shift| / stddev)^k, and the shift lies
 * within the window's own spread, even right after a change of regime (the previous window's mean would not).
 * Between refreshes a window whose spread collapses (volatility dropping 1000-fold) can leave the shift many
 * standard deviations away: when {@code |mean - shift|} exceeds 8 standard deviations the sums are recomputed
 * exactly around the window mean, at most once every {@code window / 8} values (amortised O(1)).
 */
final class RollingPowerSums {

    /** A variance below this fraction of the raw second moment around the shift is rounding noise: reported as 0. */
    private static final double ZERO_VARIANCE = 1e-12;
    /** Recentre when (mean - shift)^2 exceeds this many variances, i.e. the shift is 8 standard deviations off. */
    private static final double RECENTER_RATIO = 64.0;

    private final int window;
    private final int order;
    private final double[] values;
    private int next;
    private int count;
    private double shift;
    private double nextShift;
    private final double[] sum;
    private final double[] comp;
    private final double[] fresh;
    private final double[] freshComp;
    private int freshCount;
    private final int recenterCooldown;

    RollingPowerSums(int window, int order) {
        this.window = window;
        this.order = order;
        this.recenterCooldown = Math.max(1, window / 8);
        this.values = new double[window];
        this.sum = new double[order];
        this.comp = new double[order];
        this.fresh = new double[order];
        this.freshComp = new double[order];
    }

    int window() {
        return window;
    }

    int order() {
        return order;
    }

    int count() {
        return count;
    }

    void add(double x) {
        if (count == 0) {
            shift = x;
        }
        if (freshCount == 0) {
            nextShift = x;
        }
        if (count == window) {
            accumulate(sum, comp, values[next] - shift, -1.0);
        } else {
            count++;
        }
        values[next] = x;
        next = next + 1 == window ? 0 : next + 1;
        accumulate(sum, comp, x - shift, 1.0);
        accumulate(fresh, freshComp, x - nextShift, 1.0);
        if (++freshCount == window) {
            System.arraycopy(fresh, 0, sum, 0, order);
            System.arraycopy(freshComp, 0, comp, 0, order);
            Arrays.fill(fresh, 0.0);
            Arrays.fill(freshComp, 0.0);
            freshCount = 0;
            shift = nextShift;
        } else if (order > 1 && freshCount >= recenterCooldown) {
            recenterIfFarOff();
        }
    }

    private void recenterIfFarOff() {
        double a1 = raw(0) / count;
        double a2 = raw(1) / count;
        double m2 = a2 - a1 * a1;
        if (a1 * a1 > RECENTER_RATIO * m2 && m2 > ZERO_VARIANCE * a2) {
            double s = 0.0;
            for (int i = 0; i < count; i++) {
                s += values[i];
            }
            double mean = s / count;
            double correction = 0.0;
            for (int i = 0; i < count; i++) {
                correction += values[i] - mean;
            }
            shift = mean + correction / count;
            Arrays.fill(sum, 0.0);
            Arrays.fill(comp, 0.0);
            for (int i = 0; i < count; i++) {
                accumulate(sum, comp, values[i] - shift, 1.0);
            }
            // The fresh sums restart too, so that they again hold exactly the values since their start.
            Arrays.fill(fresh, 0.0);
            Arrays.fill(freshComp, 0.0);
            freshCount = 0;
        }
    }

    private void accumulate(double[] s, double[] c, double d, double sign) {
        double p = d;
        for (int k = 0; k < order; k++) {
            double v = sign * p;
            double a = s[k];
            double t = a + v;
            c[k] += Math.abs(a) >= Math.abs(v) ? (a - t) + v : (v - t) + a;
            s[k] = t;
            p *= d;
        }
    }

    /** Compensated sum of (x - shift)^(k+1) over the window. */
    private double raw(int k) {
        return sum[k] + comp[k];
    }

    /** Mean of the window; NaN when empty. */
    double mean() {
        return count == 0 ? Double.NaN : shift + raw(0) / count;
    }

    /** Sum of the window; 0 when empty. */
    double sum() {
        return count == 0 ? 0.0 : shift * count + raw(0);
    }

    /** Population variance (divides by the count); NaN when empty. */
    double variance() {
        if (count == 0) {
            return Double.NaN;
        }
        double a1 = raw(0) / count;
        double a2 = raw(1) / count;
        double m2 = a2 - a1 * a1;
        return m2 <= ZERO_VARIANCE * a2 ? 0.0 : m2;
    }

    /** Population standard deviation; NaN when empty. */
    double stdDev() {
        return Math.sqrt(variance());
    }

    /** Population skewness m3 / m2^1.5; 0 when the variance is 0; NaN when empty. Needs order 4. */
    double skewness() {
        double m2 = variance();
        if (!(m2 > 0.0)) {
            return m2 == 0.0 ? 0.0 : Double.NaN;
        }
        double a1 = raw(0) / count;
        double a2 = raw(1) / count;
        double a3 = raw(2) / count;
        double m3 = a3 - 3.0 * a1 * a2 + 2.0 * a1 * a1 * a1;
        return m3 / (m2 * Math.sqrt(m2));
    }

    /** Population excess kurtosis m4 / m2^2 - 3; 0 when the variance is 0; NaN when empty. Needs order 4. */
    double excessKurtosis() {
        double m2 = variance();
        if (!(m2 > 0.0)) {
            return m2 == 0.0 ? 0.0 : Double.NaN;
        }
        double a1 = raw(0) / count;
        double a2 = raw(1) / count;
        double a3 = raw(2) / count;
        double a4 = raw(3) / count;
        double a1sq = a1 * a1;
        double m4 = a4 - 4.0 * a1 * a3 + 6.0 * a1sq * a2 - 3.0 * a1sq * a1sq;
        return m4 / (m2 * m2) - 3.0;
    }

    void reset() {
        Arrays.fill(values, 0.0);
        next = 0;
        count = 0;
        shift = 0.0;
        nextShift = 0.0;
        Arrays.fill(sum, 0.0);
        Arrays.fill(comp, 0.0);
        Arrays.fill(fresh, 0.0);
        Arrays.fill(freshComp, 0.0);
        freshCount = 0;
    }

    int stateBytes() {
        return 3 * Integer.BYTES + Double.BYTES * (2 + window + 4 * order);
    }

    void write(ByteBuffer buf) {
        buf.putInt(next).putInt(count).putInt(freshCount);
        buf.putDouble(shift).putDouble(nextShift);
        for (double v : values) {
            buf.putDouble(v);
        }
        putAll(buf, sum);
        putAll(buf, comp);
        putAll(buf, fresh);
        putAll(buf, freshComp);
    }

    void read(ByteBuffer buf, String name) {
        int n = buf.getInt();
        int c = buf.getInt();
        int f = buf.getInt();
        if (c < 0 || c > window || n < 0 || n >= window || f < 0 || f >= window || (c < window && n != c)) {
            throw new IllegalArgumentException("feature state is inconsistent for " + name + ": next=" + n
                    + ", count=" + c + ", fresh=" + f + " in a window of " + window);
        }
        next = n;
        count = c;
        freshCount = f;
        shift = buf.getDouble();
        nextShift = buf.getDouble();
        for (int i = 0; i < window; i++) {
            values[i] = buf.getDouble();
        }
        getAll(buf, sum);
        getAll(buf, comp);
        getAll(buf, fresh);
        getAll(buf, freshComp);
    }

    static void putAll(ByteBuffer buf, double[] a) {
        for (double v : a) {
            buf.putDouble(v);
        }
    }

    static void getAll(ByteBuffer buf, double[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = buf.getDouble();
        }
    }
}
