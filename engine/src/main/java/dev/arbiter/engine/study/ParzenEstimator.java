package dev.arbiter.engine.study;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Optuna's {@code _ParzenEstimator}, exactly: a mixture of one product kernel per observation plus a prior kernel.
 * Numeric dimensions are Gaussians truncated to [low, high] in the transformed (log) space, bandwidth the larger gap
 * to a sorted neighbour (the outermost observations use their inner gap, consider_endpoints = false), clipped to
 * [range / min(100, n + 2), range] (consider_magic_clip); steps and ints get the probability mass of their cell
 * [x - step/2, x + step/2]. Categorical dimensions put prior_weight / (n + 1) on every choice and 1 more on the
 * observed one. The prior kernel sits mid-range with bandwidth the whole range (uniform for categoricals).
 * Cost O(n) per evaluated point: the sampler uses it for l(x) (at most 25 observations by default), for the joint
 * (multivariate) estimators and as the reference of {@link AboveDensity}.
 */
final class ParzenEstimator {

    private final Distribution[] space;
    private final double[] weights;
    private final double[] logWeights;
    private final Dim[] dims;
    /** upperFrom[d]: an upper bound of what dimensions d.. can add to a kernel's log term. */
    private final double[] upperFrom;
    private static final double DROP = 50.0;
    /**
     * When every dimension is continuous (no categorical, no step): each kernel's terms, kernel-major
     * ({@code [k * dims + d]}), so that {@link #logPdf} runs one tight loop without a call per term; null otherwise.
     */
    private final double[] flatMu;
    private final double[] flatInvSigma;
    private final double[] flatA;
    private final double[] flatB;
    private final double[] flatOffset;

    /**
     * @param observations observations[d][i], internal representation, all trials in number order
     * @param weights      kernel weights before the prior's (null: Optuna's default_weights)
     */
    ParzenEstimator(Distribution[] space, double[][] observations, double[] weights, double priorWeight,
                    boolean considerMagicClip, boolean considerEndpoints) {
        this.space = space;
        int n = observations.length == 0 ? 0 : observations[0].length;
        double[] w = weights != null ? weights : defaultWeights(n);
        double[] all;
        if (n == 0) {
            all = new double[]{1.0};
        } else {
            all = Arrays.copyOf(w, n + 1);
            all[n] = priorWeight;
        }
        double sum = 0;
        for (double v : all) {
            sum += v;
        }
        this.weights = new double[all.length];
        this.logWeights = new double[all.length];
        for (int i = 0; i < all.length; i++) {
            this.weights[i] = all[i] / sum;
            this.logWeights[i] = Math.log(this.weights[i]);
        }
        dims = new Dim[space.length];
        for (int d = 0; d < space.length; d++) {
            dims[d] = space[d] instanceof CategoricalDistribution c
                    ? new CategoricalDim(observations[d], c.choices().size(), priorWeight)
                    : new NumericDim(observations[d], Numeric.of(space[d]), considerMagicClip, considerEndpoints);
        }
        boolean continuous = true;
        for (Dim d : dims) {
            continuous &= d instanceof NumericDim nd && nd.num.step == 0;
        }
        if (continuous) {
            int nd = dims.length;
            int kernels = all.length;
            flatMu = new double[kernels * nd];
            flatInvSigma = new double[kernels * nd];
            flatA = new double[kernels * nd];
            flatB = new double[kernels * nd];
            flatOffset = new double[kernels * nd];
            for (int d = 0; d < nd; d++) {
                NumericDim dim = (NumericDim) dims[d];
                for (int k = 0; k < kernels; k++) {
                    flatMu[k * nd + d] = dim.mus[k];
                    flatInvSigma[k * nd + d] = dim.invSigma[k];
                    flatA[k * nd + d] = dim.a[k];
                    flatB[k * nd + d] = dim.b[k];
                    flatOffset[k * nd + d] = dim.offset[k];
                }
            }
        } else {
            flatMu = null;
            flatInvSigma = null;
            flatA = null;
            flatB = null;
            flatOffset = null;
        }
        upperFrom = new double[space.length + 1];
        for (int d = space.length - 1; d >= 0; d--) {
            upperFrom[d] = upperFrom[d + 1] + dims[d].maxLogPdf();
        }
    }

    /** Optuna's default_weights: ones below 25 observations, else a ramp from 1/n over all but the newest 25. */
    static double[] defaultWeights(int n) {
        double[] w = new double[n];
        Arrays.fill(w, 1.0);
        if (n >= 25) {
            int ramp = n - 25;
            for (int i = 0; i < ramp; i++) {
                w[i] = rampWeight(n, i);
            }
        }
        return w;
    }

    /** numpy's linspace(1/n, 1, n - 25)[i]. */
    static double rampWeight(int n, int i) {
        int num = n - 25;
        double start = 1.0 / n;
        if (num == 1) {
            return start;
        }
        double step = (1.0 - start) / (num - 1);
        return i == num - 1 ? 1.0 : start + i * step;
    }

    /** {@code size} draws, internal representation, [draw][dimension]. */
    double[][] sample(SplittableRandom rng, int size) {
        double[][] out = new double[size][dims.length];
        double[] cumulative = new double[weights.length];
        double acc = 0;
        for (int k = 0; k < weights.length; k++) {
            acc += weights[k];
            cumulative[k] = acc;
        }
        for (int s = 0; s < size; s++) {
            int k = pick(cumulative, rng.nextDouble() * acc);
            for (int d = 0; d < dims.length; d++) {
                out[s][d] = dims[d].sample(rng, k);
            }
        }
        return out;
    }

    static int pick(double[] cumulative, double u) {
        int k = 0;
        while (k < cumulative.length - 1 && cumulative[k] <= u) {
            k++;
        }
        return k;
    }

    /**
     * log density (log probability for discrete dimensions) of one point, internal representation. A kernel is
     * dropped as soon as its partial log term plus the largest the remaining dimensions can add falls more than
     * {@value #DROP} below the largest term so far: the sum then changes by less than n e^-50 relative (2e-18 at
     * 10^4 kernels, below the rounding of the sum itself), and a joint estimator over many dimensions visits
     * only the first dimension or two of most kernels.
     */
    double logPdf(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int nd = dims.length;
        double[] prepared = new double[nd];
        for (int d = 0; d < nd; d++) {
            prepared[d] = dims[d].prepare(x[d]);
        }
        for (int k = 0; k < weights.length; k++) {
            double t = logWeights[k];
            if (flatMu != null) {
                int base = k * nd;
                for (int d = 0; d < nd; d++) {
                    if (t + upperFrom[d] < max - DROP) {
                        t = Double.NEGATIVE_INFINITY;
                        break;
                    }
                    double z = (prepared[d] - flatMu[base + d]) * flatInvSigma[base + d];
                    if (z < flatA[base + d] || z > flatB[base + d]) {
                        t = Double.NEGATIVE_INFINITY;
                        break;
                    }
                    t += -0.5 * z * z + flatOffset[base + d];
                }
            } else {
                for (int d = 0; d < nd; d++) {
                    if (t + upperFrom[d] < max - DROP) {
                        t = Double.NEGATIVE_INFINITY;
                        break;
                    }
                    t += dims[d].logPdfPrepared(prepared[d], k);
                }
            }
            if (t == Double.NEGATIVE_INFINITY) {
                continue;
            }
            if (t > max) {
                sum = sum * Math.exp(max - t) + 1;
                max = t;
            } else {
                sum += Math.exp(t - max);
            }
        }
        return max == Double.NEGATIVE_INFINITY ? max : max + Math.log(sum);
    }

    int kernels() {
        return weights.length;
    }

    Distribution[] space() {
        return space;
    }

    private interface Dim {
        double sample(SplittableRandom rng, int kernel);

        double logPdf(double x, int kernel);

        /** {@code x} as {@link #logPdfPrepared} reads it, the same for every kernel (transformed once per point). */
        default double prepare(double x) {
            return x;
        }

        /** {@link #logPdf} of a point {@link #prepare}d once. */
        default double logPdfPrepared(double prepared, int kernel) {
            return logPdf(prepared, kernel);
        }

        /** An upper bound of logPdf over every point and kernel. */
        double maxLogPdf();
    }

    /**
     * A numeric distribution in the transformed space: {@code lo}/{@code hi} are the adapted bounds (half a step
     * wider for a grid, logs for a log scale).
     */
    record Numeric(double low, double high, double step, boolean log, double lo, double hi) {
        static Numeric of(Distribution d) {
            double low;
            double high;
            double step;
            boolean log;
            if (d instanceof FloatDistribution f) {
                low = f.low();
                high = f.high();
                step = f.step();
                log = f.log();
            } else if (d instanceof IntDistribution i) {
                low = i.low();
                high = i.high();
                step = i.step();
                log = i.log();
            } else {
                throw new IllegalArgumentException("not numeric: " + d);
            }
            double lo = step > 0 ? low - step / 2 : low;
            double hi = step > 0 ? high + step / 2 : high;
            return new Numeric(low, high, step, log, log ? Math.log(lo) : lo, log ? Math.log(hi) : hi);
        }

        double transform(double x) {
            return log ? Math.log(x) : x;
        }

        /** A transformed draw back to a value: exp for logs, then onto the step grid as Optuna (round half even). */
        double untransform(double t) {
            double x = log ? Math.exp(t) : t;
            if (step > 0) {
                x = Math.min(high, Math.max(low, low + Math.rint((x - low) / step) * step));
            }
            return x;
        }

        /** The minimum bandwidth with the magic clip, for {@code kernels} kernels (prior included). */
        double minSigma(int kernels) {
            return (hi - lo) / Math.min(100.0, 1.0 + kernels);
        }
    }

    /**
     * Bandwidths of Optuna's compute_sigmas for {@code mus} (any order) in [lo, hi]: the larger gap to a sorted
     * neighbour or endpoint, the outermost observations taking their inner gap when there are two or more and
     * endpoints are not considered, clipped to [range / min(100, n + 2), range] (or [1e-12, range]).
     */
    static double[] bandwidths(double[] mus, double lo, double hi, boolean magicClip, boolean considerEndpoints) {
        int n = mus.length;
        int[] order = argsort(mus);
        double[] sorted = new double[n + 2];
        sorted[0] = lo;
        sorted[n + 1] = hi;
        for (int i = 0; i < n; i++) {
            sorted[i + 1] = mus[order[i]];
        }
        double[] sortedSigmas = new double[n];
        for (int i = 0; i < n; i++) {
            sortedSigmas[i] = Math.max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
        }
        if (!considerEndpoints && n >= 2) {
            sortedSigmas[0] = sorted[2] - sorted[1];
            sortedSigmas[n - 1] = sorted[n] - sorted[n - 1];
        }
        double maxSigma = hi - lo;
        double minSigma = magicClip ? (hi - lo) / Math.min(100.0, 1.0 + (n + 1)) : 1e-12;
        double[] sigmas = new double[n];
        for (int i = 0; i < n; i++) {
            sigmas[order[i]] = Math.min(maxSigma, Math.max(minSigma, sortedSigmas[i]));
        }
        return sigmas;
    }

    /**
     * Indices of {@code v} in ascending order, ties (by {@code <}) in index order, as a stable sort gives them: the
     * values sorted as primitives, then each index placed at the first free rank of its value's group (binary search).
     * No NaN.
     */
    static int[] argsort(double[] v) {
        int n = v.length;
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        int[] used = new int[n];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            double x = v[i];
            int lo = 0;
            int hi = n;
            while (lo < hi) { // the first rank whose value is not below x
                int mid = (lo + hi) >>> 1;
                if (sorted[mid] < x) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            idx[lo + used[lo]++] = i;
        }
        return idx;
    }

    private static final class NumericDim implements Dim {
        final Numeric num;
        final double[] mus;
        final double[] sigmas;
        final double[] logMass;
        final double[] a;
        final double[] b;
        final double[] invSigma;
        final double[] offset;

        NumericDim(double[] observations, Numeric num, boolean magicClip, boolean considerEndpoints) {
            this.num = num;
            int n = observations.length;
            double[] transformed = new double[n];
            for (int i = 0; i < n; i++) {
                transformed[i] = num.transform(observations[i]);
            }
            double[] s = bandwidths(transformed, num.lo, num.hi, magicClip, considerEndpoints);
            mus = Arrays.copyOf(transformed, n + 1);
            sigmas = Arrays.copyOf(s, n + 1);
            mus[n] = 0.5 * (num.lo + num.hi);
            sigmas[n] = num.hi - num.lo;
            logMass = new double[n + 1];
            a = new double[n + 1];
            b = new double[n + 1];
            invSigma = new double[n + 1];
            offset = new double[n + 1];
            for (int k = 0; k <= n; k++) {
                a[k] = (num.lo - mus[k]) / sigmas[k];
                b[k] = (num.hi - mus[k]) / sigmas[k];
                logMass[k] = TruncatedNormal.logGaussMass(a[k], b[k]);
                invSigma[k] = 1.0 / sigmas[k];
                offset[k] = -TruncatedNormal.LOG_SQRT_2PI - logMass[k] - Math.log(sigmas[k]);
            }
        }

        @Override
        public double maxLogPdf() {
            double m = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < mus.length; k++) {
                m = Math.max(m, num.step == 0 ? offset[k] : -logMass[k]);
            }
            return m;
        }

        @Override
        public double sample(SplittableRandom rng, int k) {
            return num.untransform(TruncatedNormal.sample(rng, mus[k], sigmas[k], num.lo, num.hi));
        }

        @Override
        public double prepare(double x) {
            return num.step == 0 ? num.transform(x) : x;
        }

        @Override
        public double logPdfPrepared(double prepared, int k) {
            if (num.step == 0) {
                double z = (prepared - mus[k]) * invSigma[k];
                if (z < a[k] || z > b[k]) {
                    return Double.NEGATIVE_INFINITY;
                }
                return -0.5 * z * z + offset[k];
            }
            return logPdf(prepared, k);
        }

        @Override
        public double logPdf(double x, int k) {
            if (num.step == 0) {
                double z = (num.transform(x) - mus[k]) * invSigma[k];
                if (z < a[k] || z > b[k]) {
                    return Double.NEGATIVE_INFINITY;
                }
                return -0.5 * z * z + offset[k];
            }
            double left = num.transform(x - num.step / 2);
            double right = num.transform(x + num.step / 2);
            return TruncatedNormal.logGaussMass((left - mus[k]) / sigmas[k], (right - mus[k]) / sigmas[k])
                    - logMass[k];
        }
    }

    private static final class CategoricalDim implements Dim {
        final double[][] logProbs;
        final double[][] cumulative;

        CategoricalDim(double[] observations, int choices, double priorWeight) {
            int n = observations.length;
            double[][] w;
            if (n == 0) {
                w = new double[1][choices];
                Arrays.fill(w[0], 1.0 / choices);
            } else {
                int kernels = n + 1;
                w = new double[kernels][choices];
                for (double[] row : w) {
                    Arrays.fill(row, priorWeight / kernels);
                }
                for (int i = 0; i < n; i++) {
                    w[i][(int) observations[i]] += 1;
                }
            }
            logProbs = new double[w.length][choices];
            cumulative = new double[w.length][choices];
            for (int k = 0; k < w.length; k++) {
                double sum = 0;
                for (double v : w[k]) {
                    sum += v;
                }
                if (sum == 0) {
                    sum = 1;
                }
                double acc = 0;
                for (int c = 0; c < choices; c++) {
                    logProbs[k][c] = Math.log(w[k][c] / sum);
                    acc += w[k][c] / sum;
                    cumulative[k][c] = acc;
                }
                cumulative[k][choices - 1] = 1.0;
            }
        }

        @Override
        public double sample(SplittableRandom rng, int k) {
            double u = rng.nextDouble();
            int c = 0;
            while (cumulative[k][c] < u) {
                c++;
            }
            return c;
        }

        @Override
        public double logPdf(double x, int k) {
            return logProbs[k][(int) x];
        }

        @Override
        public double maxLogPdf() {
            return 0;
        }
    }
}
