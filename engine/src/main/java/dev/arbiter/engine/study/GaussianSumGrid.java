package dev.arbiter.engine.study;

/**
 * Σ_i (α + β r_i) c_i exp(-(x - μ_i)² / 2σ²) over many kernels of one bandwidth σ, in time independent of their
 * number: a fast Gauss transform on a grid of bins of width σ over [lo, hi]. Each bin keeps the Taylor moments
 * Σ c_i e^{-v²/2} v^k / k! (and the same times r_i), v = (μ_i - centre) / σ, |v| <= 1/2, so that with
 * u = (x - centre) / σ a bin's sum is e^{-u²/2} Σ_{k<20} (α A_k + β B_k) u^k. Adding a kernel costs 20
 * multiply-adds; evaluating a point costs the 19 bins within 9 bandwidths (|u| <= 9) times 20 terms.
 *
 * <p>Error bound, per kernel of weight m = (α + β r) c: the series remainder is at most
 * m e^{-u²/2} (|u|/2)^20 / 20! e^{|u|/2} (at most 1.9e-15 m over |u| <= 9), a bin beyond the cutoff holds kernels at
 * least 8.5 bandwidths away (e^{-8.5²/2} = 2.0e-16 m), and rounding adds at most (n_bin + 40) 2^-53 m e^{|u|/2 - u²/2}.
 * {@link #evaluate} returns the sum of these bounds over the bins for the point evaluated, so a caller knows the
 * absolute error of each value, not only the worst case.
 */
final class GaussianSumGrid {

    static final int TERMS = 20;
    static final double CUTOFF = 9.0;
    private static final double TAIL = Math.exp(-0.5 * (CUTOFF - 0.5) * (CUTOFF - 0.5));
    private static final double[] INV_FACTORIAL = new double[TERMS];
    private static final double LOG_FACTORIAL_TERMS;

    static {
        double f = 1;
        double logF = 0;
        for (int k = 0; k < TERMS; k++) {
            if (k > 0) {
                f *= k;
            }
            INV_FACTORIAL[k] = 1.0 / f;
        }
        for (int k = 2; k <= TERMS; k++) {
            logF += Math.log(k);
        }
        LOG_FACTORIAL_TERMS = logF;
    }

    private final double lo;
    private final double sigma;
    private final int bins;
    private final double[] a;
    private final double[] b;
    private final double[] massA;
    private final double[] massB;
    private final int[] counts;
    private double totalA;
    private double totalB;

    GaussianSumGrid(double lo, double hi, double sigma) {
        this.lo = lo;
        this.sigma = sigma;
        this.bins = (int) Math.floor((hi - lo) / sigma) + 1;
        a = new double[bins * TERMS];
        b = new double[bins * TERMS];
        massA = new double[bins];
        massB = new double[bins];
        counts = new int[bins];
    }

    /** Adds the kernel c exp(-(x - mu)² / 2σ²) with rank r (its weight will be α + β r). */
    void add(double mu, double c, double r) {
        double t = (mu - lo) / sigma;
        int j = Math.max(0, Math.min(bins - 1, (int) Math.floor(t)));
        double v = t - (j + 0.5);
        double p = c * Math.exp(-0.5 * v * v);
        int base = j * TERMS;
        for (int k = 0; k < TERMS; k++) {
            double term = p * INV_FACTORIAL[k];
            a[base + k] += term;
            b[base + k] += term * r;
            p *= v;
        }
        massA[j] += c;
        massB[j] += c * r;
        counts[j]++;
        totalA += c;
        totalB += c * r;
    }

    /**
     * The sum at x; {@code bound[0]} receives an upper bound of its absolute error (see the class comment).
     */
    double evaluate(double x, double alpha, double beta, double[] bound) {
        double t = (x - lo) / sigma;
        int jLo = Math.max(0, (int) Math.ceil(t - 0.5 - CUTOFF));
        int jHi = Math.min(bins - 1, (int) Math.floor(t - 0.5 + CUTOFF));
        double sum = 0;
        double err = 0;
        double included = 0;
        for (int j = jLo; j <= jHi; j++) {
            double m = alpha * massA[j] + beta * massB[j];
            if (m == 0) {
                continue;
            }
            double u = t - (j + 0.5);
            int base = j * TERMS;
            double poly = 0;
            for (int k = TERMS - 1; k >= 0; k--) {
                poly = poly * u + (alpha * a[base + k] + beta * b[base + k]);
            }
            double au = Math.abs(u);
            double envelope = Math.exp(-0.5 * u * u + 0.5 * au);
            sum += Math.exp(-0.5 * u * u) * poly;
            included += m;
            double truncation = au == 0 ? 0
                    : Math.exp(-0.5 * u * u + 0.5 * au + TERMS * Math.log(0.5 * au) - LOG_FACTORIAL_TERMS);
            err += m * (truncation + (counts[j] + 2 * TERMS) * 0x1p-53 * envelope);
        }
        err += Math.max(0, alpha * totalA + beta * totalB - included) * TAIL;
        bound[0] = err;
        return sum;
    }
}
