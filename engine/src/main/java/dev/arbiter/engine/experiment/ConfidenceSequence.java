package dev.arbiter.engine.experiment;

/**
 * An always-valid confidence sequence for the mean of a stream of independent values: the interval it gives after
 * every new value covers the true mean at all times at once with probability at least 1 - alpha (asymptotically), so
 * it may be looked at after every value and acted on the first time it excludes a number, without the inflation of
 * the false-positive rate that repeated looks at a fixed-sample interval bring.
 *
 * <p>The boundary is Robbins' normal mixture in its asymptotic form (Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas,
 * "Time-uniform central limit theory and asymptotic confidence sequences", 2021, Theorem 2.2): after n values with mean
 * m and sample standard deviation s,
 *
 * <pre>
 *   m +- s * sqrt( 2 (n rho^2 + 1) / (n^2 rho^2) * log( sqrt(n rho^2 + 1) / alpha ) )
 * </pre>
 *
 * where rho makes the interval narrowest at n = {@code tightestAt} (rho^2 = (-2 log alpha + log(-2 log alpha + 1)) /
 * tightestAt). Before {@link #MIN_VALUES} values the interval is the whole line: the variance estimate means nothing.
 * Welford's running mean and variance: O(1) per value, no allocation.
 */
public final class ConfidenceSequence {

    /** Fewest values for a finite interval. */
    public static final int MIN_VALUES = 2;

    private final double alpha;
    private final double rho2;
    private long n;
    private double mean;
    private double m2;

    /**
     * @param alpha the error allowed over all looks together, in (0, 1)
     * @param tightestAt the number of values at which the interval is to be narrowest (the expected sample), at least 1
     */
    public ConfidenceSequence(double alpha, double tightestAt) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), was " + alpha);
        }
        if (!(tightestAt >= 1)) {
            throw new IllegalArgumentException("tightestAt must be at least 1, was " + tightestAt);
        }
        this.alpha = alpha;
        double l = -2 * Math.log(alpha);
        this.rho2 = (l + Math.log(l + 1)) / tightestAt;
    }

    /** Adds a value; a non-finite one is refused (IllegalArgumentException), as it would poison every later interval. */
    public void add(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("a confidence sequence takes finite values, was " + x);
        }
        n++;
        double d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
    }

    public long count() {
        return n;
    }

    /** The running mean; NaN before the first value. */
    public double mean() {
        return n == 0 ? Double.NaN : mean;
    }

    /** The sample standard deviation (n - 1); NaN before two values. */
    public double standardDeviation() {
        return n < 2 ? Double.NaN : Math.sqrt(m2 / (n - 1));
    }

    public double alpha() {
        return alpha;
    }

    /** Half the interval's width; infinite before {@link #MIN_VALUES} values. */
    public double halfWidth() {
        if (n < MIN_VALUES) {
            return Double.POSITIVE_INFINITY;
        }
        return standardDeviation() * boundary(n, rho2, alpha);
    }

    /** The boundary in units of the standard deviation, for n values. */
    static double boundary(long n, double rho2, double alpha) {
        double a = n * rho2 + 1;
        return Math.sqrt(2 * a / ((double) n * n * rho2) * Math.log(Math.sqrt(a) / alpha));
    }

    public double lower() {
        return n < MIN_VALUES ? Double.NEGATIVE_INFINITY : mean - halfWidth();
    }

    public double upper() {
        return n < MIN_VALUES ? Double.POSITIVE_INFINITY : mean + halfWidth();
    }
}
