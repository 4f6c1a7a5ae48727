package dev.arbiter.engine.stats;

/**
 * How much a sequence repeats itself: the integrated autocorrelation time τ = 1 + 2·Σ ρ(k), the factor by which
 * dependence inflates the variance of a sample mean, so that {@code n / τ} values carry as much information as
 * {@code n} independent ones (the effective sample size).
 *
 * <p>The sum runs over lags 1..M with Sokal's automatic window: the smallest M with M ≥ {@value #WINDOW_FACTOR}·τ(M)
 * (Sokal 1997, "Monte Carlo methods in statistical mechanics"; the rule emcee uses). Summing every lag would add
 * the noise of hundreds of near-zero estimates; stopping at the first negative ρ would miss the dependence of
 * interleaved streams, whose ρ(1) is small but whose ρ(k) peaks at the number of interleaved series. The estimate
 * is clamped to [1, n]: anti-correlation never makes a sample worth more than independent values.
 *
 * <p>A few hundred values estimate a long τ too low (the sum's far lags are noisy and biased towards 0): an AR(1)
 * with τ = 66 reads 17 to 44 from 500 values. {@link #lagOneTime} is a steadier lower reading for such sequences.
 */
public final class Autocorrelation {

    /** Lag-1 correlation at which the AR(1) reading stops growing (τ = 1999). */
    private static final double MAX_LAG_ONE = 0.999;

    /** Sokal's c: the window stops at the first lag M ≥ c·τ(M). */
    public static final double WINDOW_FACTOR = 5.0;

    private Autocorrelation() {
    }

    /**
     * The integrated autocorrelation time of {@code x} in the given order; 1 for fewer than 3 values or a constant
     * sequence. Values must be finite. O(n·M).
     */
    public static double integratedTime(double[] x) {
        double[] d = deviations(x);
        double c0 = lagProduct(d, 0);
        if (d.length < 3 || !(c0 > 0.0)) {
            return 1.0;
        }
        int n = d.length;
        double tau = 1.0;
        for (int k = 1; k < n - 1; k++) {
            double ck = lagProduct(d, k);
            tau += 2.0 * ck / c0;
            if (k >= WINDOW_FACTOR * tau) {
                break;
            }
        }
        return Math.min(n, Math.max(1.0, tau));
    }

    /**
     * The AR(1) reading of the lag-1 correlation, (1 + ρ(1)) / (1 - ρ(1)), clamped to [1, n]: exact for an AR(1),
     * with far less variance than the sum over lags; 1 for fewer than 3 values or a constant sequence.
     */
    public static double lagOneTime(double[] x) {
        double[] d = deviations(x);
        double c0 = lagProduct(d, 0);
        if (d.length < 3 || !(c0 > 0.0)) {
            return 1.0;
        }
        double rho = Math.min(MAX_LAG_ONE, lagProduct(d, 1) / c0);
        return rho > 0.0 ? Math.min(d.length, (1.0 + rho) / (1.0 - rho)) : 1.0;
    }

    /** Values minus their mean. */
    private static double[] deviations(double[] x) {
        double mean = 0.0;
        for (double v : x) {
            mean += v;
        }
        mean /= Math.max(1, x.length);
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i] - mean;
        }
        return d;
    }

    /** Σ d[i]·d[i-k]: n times the lag-k autocovariance. */
    private static double lagProduct(double[] d, int k) {
        double sum = 0.0;
        for (int i = k; i < d.length; i++) {
            sum += d[i] * d[i - k];
        }
        return sum;
    }
}
