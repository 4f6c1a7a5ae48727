package dev.arbiter.engine.stats;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.exception.MathArithmeticException;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

/**
 * Two-sample tests of "same distribution" (commons-math3), used for drift: a recent window against a reference
 * window. Both tests are two-sided. Neither throws on data: a sample with fewer than {@link #MIN_SAMPLE} values or
 * a non-finite value, or a numerical failure inside commons-math, answers {@link Result#UNTESTED} (NaN statistic
 * and p-value), and {@link Result#rejects} is false for NaN, so missing evidence never reads as drift. Callers
 * that want NaN to mean "missing" drop such values before testing.
 *
 * <p>Samples whose pooled values are all equal are answered directly (statistic of no difference, p-value 1):
 * commons-math would jitter them at random (KS) to break ties, and there is nothing to test.
 */
public final class TwoSampleTests {

    /** Fewest values per sample that is tested; commons-math's KS refuses fewer. */
    public static final int MIN_SAMPLE = 2;

    /** Below this n·m, KS p-values are exact (commons-math's own bound); at or above, asymptotic. */
    private static final long KS_EXACT_BELOW_PRODUCT = 10_000L;

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0.0, 1.0);

    private TwoSampleTests() {
    }

    /**
     * A test's statistic and p-value.
     *
     * @param statistic the test statistic; NaN when untested
     * @param pValue two-sided p-value in [0, 1]; NaN when untested
     */
    public record Result(double statistic, double pValue) {

        /** Not tested: too few values, a non-finite value, or a numerical failure. */
        public static final Result UNTESTED = new Result(Double.NaN, Double.NaN);

        /** Whether "same distribution" is rejected at significance level {@code alpha}; false when untested. */
        public boolean rejects(double alpha) {
            return pValue < alpha;
        }

        public boolean tested() {
            return !Double.isNaN(pValue);
        }
    }

    /**
     * Two-sample Kolmogorov-Smirnov test. The statistic is D = sup |F_x - F_y| of the empirical CDFs, computed
     * with ties handled exactly (commons-math {@code kolmogorovSmirnovStatistic}). The p-value is P(D' >= D) under
     * "same continuous distribution", two-sided: exact when n·m &lt; 10 000, else the asymptotic Kolmogorov
     * distribution (commons-math {@code exactP(d, n, m, false)} / {@code approximateP}). That is what
     * {@code kolmogorovSmirnovTest(x, y, false)} answers for tie-free samples; with ties we keep the tie-aware D
     * rather than let commons-math jitter the values at random, which makes the p-value conservative for discrete
     * data (drift is under- rather than over-reported).
     */
    public static Result kolmogorovSmirnov(double[] x, double[] y) {
        if (!testable(x) || !testable(y)) {
            return Result.UNTESTED;
        }
        if (allEqual(x, y)) {
            return new Result(0.0, 1.0);
        }
        try {
            KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
            double d = ks.kolmogorovSmirnovStatistic(x, y);
            double p = (long) x.length * y.length < KS_EXACT_BELOW_PRODUCT
                    ? ks.exactP(d, x.length, y.length, false)
                    : ks.approximateP(d, x.length, y.length);
            return result(d, p);
        } catch (MathIllegalStateException | MathArithmeticException e) {
            return Result.UNTESTED;
        }
    }

    /**
     * Two-sample Mann-Whitney U (Wilcoxon rank-sum) test: sensitive to a shift of location, blind to a change of
     * spread around the same median (KS sees that). The statistic is commons-math's U = max(U_x, U_y); the p-value
     * is two-sided, 2·Φ((min(U_x, U_y) - n·m/2) / σ), the normal approximation without continuity or tie correction
     * (ties get average ranks; the uncorrected σ makes the p-value conservative with ties).
     */
    public static Result mannWhitneyU(double[] x, double[] y) {
        if (!testable(x) || !testable(y)) {
            return Result.UNTESTED;
        }
        if (allEqual(x, y)) {
            return new Result((double) x.length * y.length / 2.0, 1.0);
        }
        try {
            MannWhitneyUTest mw = new MannWhitneyUTest();
            return result(mw.mannWhitneyU(x, y), mw.mannWhitneyUTest(x, y));
        } catch (MathIllegalStateException | MathArithmeticException e) {
            return Result.UNTESTED;
        }
    }

    /**
     * The Kolmogorov-Smirnov test of two dependent sequences: D as {@link #kolmogorovSmirnov(double[], double[])},
     * its p-value from the effective sample sizes n/τx and m/τy ({@link Autocorrelation#integratedTime}), rounded and
     * at least {@value #MIN_SAMPLE}. With τ = 1 for both it is the test of independent samples. Autocorrelated
     * samples spread less over their distribution than independent ones of the same size, so D is larger by
     * chance; testing at the nominal sizes would call that drift.
     */
    public static Result kolmogorovSmirnov(double[] x, double[] y, double tauX, double tauY) {
        Result plain = kolmogorovSmirnov(x, y);
        if (!plain.tested() || (tauX <= 1.0 && tauY <= 1.0) || plain.pValue() == 1.0 && plain.statistic() == 0.0) {
            return plain;
        }
        int n = effective(x.length, tauX);
        int m = effective(y.length, tauY);
        KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
        try {
            double p = (long) n * m < KS_EXACT_BELOW_PRODUCT
                    ? ks.exactP(plain.statistic(), n, m, false)
                    : ks.approximateP(plain.statistic(), n, m);
            return result(plain.statistic(), p);
        } catch (MathIllegalStateException | MathArithmeticException e) {
            return Result.UNTESTED;
        }
    }

    /**
     * The Mann-Whitney U test of two dependent sequences: U as {@link #mannWhitneyU(double[], double[])}, its normal
     * z scaled by sqrt((1/n + 1/m) / (τx/n + τy/m)), the ratio of U's standard deviation under independence to the
     * one under the sequences' dependence (the variance of a mean of placements grows by τ).
     */
    public static Result mannWhitneyU(double[] x, double[] y, double tauX, double tauY) {
        Result plain = mannWhitneyU(x, y);
        if (!plain.tested() || (tauX <= 1.0 && tauY <= 1.0) || plain.pValue() == 1.0) {
            return plain;
        }
        double n = x.length;
        double m = y.length;
        double uMin = n * m - plain.statistic();
        double z = (uMin - n * m / 2.0) / Math.sqrt(n * m * (n + m + 1.0) / 12.0);
        double scale = Math.sqrt((1.0 / n + 1.0 / m) / (Math.max(1.0, tauX) / n + Math.max(1.0, tauY) / m));
        return result(plain.statistic(), 2.0 * STANDARD_NORMAL.cumulativeProbability(-Math.abs(z * scale)));
    }

    private static int effective(int size, double tau) {
        return (int) Math.max(MIN_SAMPLE, Math.round(size / Math.max(1.0, tau)));
    }

    private static Result result(double statistic, double p) {
        if (Double.isNaN(statistic) || Double.isNaN(p)) {
            return Result.UNTESTED;
        }
        // Rounding in 1 - sum can leave p a hair outside [0, 1].
        return new Result(statistic, Math.min(1.0, Math.max(0.0, p)));
    }

    private static boolean testable(double[] sample) {
        if (sample == null || sample.length < MIN_SAMPLE) {
            return false;
        }
        for (double v : sample) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static boolean allEqual(double[] x, double[] y) {
        double first = x[0];
        for (double v : x) {
            if (v != first) {
                return false;
            }
        }
        for (double v : y) {
            if (v != first) {
                return false;
            }
        }
        return true;
    }
}
