package dev.arbiter.engine.study;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The finished observations of one parameter, kept in trial-number order and in value order as trials are told, and
 * TPE's "above" density g(x) over them (every finished trial not in the below set, plus the running ones under the
 * constant liar, plus the prior) evaluated without visiting every observation.
 *
 * <p>Why it is cheap. With the magic clip no bandwidth is below range / 100 once there are 98 kernels, and at most
 * about 200 observations can have a wider one (a gap wider than range / 100 borders at most two of them, and the
 * gaps add up to the range). The weights are Optuna's ramp α + β·rank over all but the newest 25 above trials.
 * So g splits into (1) a bulk of old, narrow kernels, absorbed once each into a {@link GaussianSumGrid} with their
 * rank, where adding or evaluating costs the same at 300 trials as at 30,000, and (2) at most a few hundred kernels
 * evaluated one by one: those absorbed while wider than the minimum ("broad"), the not yet absorbed newest ones
 * (25 plus what arrived since the last ask) and the running ones, each with its bandwidth and weight computed now.
 *
 * <p>Why it stays exact. A bulk kernel's weight needs only its rank to stay fixed (α and β are applied at evaluation)
 * and its bandwidth to stay the minimum. Adding observations only narrows gaps, and appending newer trials changes no
 * older rank. Anything else — a trial told out of order before the absorbed ones, a trial that was above leaving for
 * the below set, a formerly below trial older than the absorbed ones returning — rebuilds the bulk from the stored
 * observations (O(n), rare: once 25 trials are below, a trial enters the below set only when it is told and is then
 * new). A running trial older than the newest absorbed one sends that ask to the exact path. Below 256 finished above
 * observations, for grids (int, step) and for categoricals the exact {@link ParzenEstimator} is used.
 *
 * <p>The only approximation is the grid's series; {@link #logAboveFast} returns for each point a bound on
 * |log g̃(x) - log g(x)| from the grid's absolute bound and the exact part (which includes the prior), in practice
 * about 1e-15 or less; {@code AboveDensityTest} holds the fast and the exact evaluation to it.
 */
final class AboveDensity {

    static final int FAST_MIN_ABOVE = 256;
    private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

    final Distribution distribution;
    private final ParzenEstimator.Numeric numeric;
    private final boolean continuous;

    private int size;
    private int[] number = new int[64];
    private double[] value = new double[64];
    private double[] mu = new double[64];
    private long[] tellSequence = new long[64];
    private boolean[] below = new boolean[64];
    private int[] byNumber = new int[64];
    private int[] byMu = new int[64];
    private final Map<Integer, Integer> idOfNumber = new HashMap<>();
    private long tells;
    private int[] belowIds = new int[0];

    private GaussianSumGrid grid;
    private int[] broadIds = new int[16];
    private int[] broadRanks = new int[16];
    private int broadCount;
    private int absorbedPos;
    private int absorbedRank;
    private int lastAbsorbedNumber = -1;
    private int[] belowAtBuild = new int[0];
    private long lastFastAskTell = -1;
    private boolean dirty = true;
    private int rebuilds;

    AboveDensity(Distribution distribution) {
        this.distribution = distribution;
        this.numeric = distribution instanceof CategoricalDistribution ? null : ParzenEstimator.Numeric.of(distribution);
        this.continuous = numeric != null && numeric.step() == 0 && numeric.hi() > numeric.lo();
    }

    /** Whether {@code v} lies in the distribution's range (values outside it are left out, as after a range change). */
    static boolean inRange(Distribution d, double v) {
        if (Double.isNaN(v)) {
            return false;
        }
        if (d instanceof CategoricalDistribution c) {
            return v >= 0 && v < c.choices().size() && v == Math.rint(v);
        }
        var n = ParzenEstimator.Numeric.of(d);
        return v >= n.low() && v <= n.high();
    }

    void add(int trialNumber, double v) {
        if (!inRange(distribution, v) || idOfNumber.containsKey(trialNumber)) {
            return;
        }
        if (size == number.length) {
            int cap = size * 2;
            number = Arrays.copyOf(number, cap);
            value = Arrays.copyOf(value, cap);
            mu = Arrays.copyOf(mu, cap);
            tellSequence = Arrays.copyOf(tellSequence, cap);
            below = Arrays.copyOf(below, cap);
            byNumber = Arrays.copyOf(byNumber, cap);
            byMu = Arrays.copyOf(byMu, cap);
        }
        int id = size;
        number[id] = trialNumber;
        value[id] = v;
        mu[id] = numeric == null ? v : numeric.transform(v);
        tellSequence[id] = ++tells;
        idOfNumber.put(trialNumber, id);
        int pos = size;
        while (pos > 0 && number[byNumber[pos - 1]] > trialNumber) {
            pos--;
        }
        System.arraycopy(byNumber, pos, byNumber, pos + 1, size - pos);
        byNumber[pos] = id;
        if (pos < absorbedPos) {
            dirty = true;
        }
        int m = muPosition(mu[id], id);
        System.arraycopy(byMu, m, byMu, m + 1, size - m);
        byMu[m] = id;
        size++;
    }

    int size() {
        return size;
    }

    int rebuilds() {
        return rebuilds;
    }

    /** Marks the below set: trial numbers (any order; those without this parameter are ignored). */
    void setBelow(int[] belowNumbers) {
        for (int id : belowIds) {
            below[id] = false;
        }
        int[] ids = new int[belowNumbers.length];
        int n = 0;
        for (int num : belowNumbers) {
            Integer id = idOfNumber.get(num);
            if (id != null) {
                ids[n++] = id;
                below[id] = true;
            }
        }
        belowIds = Arrays.copyOf(ids, n);
        Arrays.sort(belowIds);
    }

    /** Below values (internal representation) in trial-number order. */
    double[] belowValues() {
        int[] ids = belowIds.clone();
        Arrays.sort(ids);
        sortByNumber(ids);
        double[] out = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = value[ids[i]];
        }
        return out;
    }

    private void sortByNumber(int[] ids) {
        for (int i = 1; i < ids.length; i++) {
            int x = ids[i];
            int j = i - 1;
            while (j >= 0 && number[ids[j]] > number[x]) {
                ids[j + 1] = ids[j];
                j--;
            }
            ids[j + 1] = x;
        }
    }

    /** Above values: finished non-below and running, merged in trial-number order (running sorted by number). */
    double[] aboveValues(int[] runningNumbers, double[] runningValues) {
        double[] out = new double[size - belowIds.length + runningNumbers.length];
        int k = 0;
        int r = 0;
        for (int p = 0; p < size; p++) {
            int id = byNumber[p];
            if (below[id]) {
                continue;
            }
            while (r < runningNumbers.length && runningNumbers[r] < number[id]) {
                out[k++] = runningValues[r++];
            }
            out[k++] = value[id];
        }
        while (r < runningNumbers.length) {
            out[k++] = runningValues[r++];
        }
        return out;
    }

    /** log g at each point by the exact estimator (O(n) per point): the reference. */
    double[] logAboveExact(double[] xs, int[] runningNumbers, double[] runningValues, double priorWeight,
                           boolean magicClip, boolean considerEndpoints) {
        var estimator = new ParzenEstimator(new Distribution[]{distribution},
                new double[][]{aboveValues(runningNumbers, runningValues)}, null, priorWeight, magicClip,
                considerEndpoints);
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = estimator.logPdf(new double[]{xs[i]});
        }
        return out;
    }

    /**
     * log g at each point (internal representation) through the grid, or null where only the exact path applies
     * (not a continuous numeric parameter, fewer than {@value #FAST_MIN_ABOVE} finished above observations, a
     * running trial older than the absorbed ones, endpoints considered, no magic clip). {@code logBounds[i]} receives
     * the bound on the error of {@code out[i]}. Running trials sorted by number.
     */
    double[] logAboveFast(double[] xs, int[] runningNumbers, double[] runningValues, double priorWeight,
                          boolean magicClip, boolean considerEndpoints, double[] logBounds) {
        int nFinished = size - belowIds.length;
        if (!continuous || !magicClip || considerEndpoints || nFinished < FAST_MIN_ABOVE) {
            return null;
        }
        int minRunning = runningNumbers.length == 0 ? Integer.MAX_VALUE : runningNumbers[0];
        if (minRunning <= lastAbsorbedNumber) {
            return null;
        }
        syncBelow();
        double range = numeric.hi() - numeric.lo();
        double sigmaMin = range / 100.0;
        if (dirty) {
            grid = new GaussianSumGrid(numeric.lo(), numeric.hi(), sigmaMin);
            broadCount = 0;
            absorbedPos = 0;
            absorbedRank = 0;
            lastAbsorbedNumber = -1;
            dirty = false;
            rebuilds++;
        }
        absorb(nFinished, minRunning, sigmaMin);
        lastFastAskTell = tells;

        int nRunning = runningNumbers.length;
        int nAbove = nFinished + nRunning;
        int rampLength = nAbove - 25;
        double alpha = 1.0 / nAbove;
        double beta = (1.0 - alpha) / (rampLength - 1);
        double totalWeight = rampLength * (alpha + 1.0) / 2 + 25 + priorWeight;
        double[] runningMus = new double[nRunning];
        for (int i = 0; i < nRunning; i++) {
            runningMus[i] = numeric.transform(runningValues[i]);
        }
        double[] sortedRunningMus = runningMus.clone();
        Arrays.sort(sortedRunningMus);

        // The kernels evaluated one by one: broad ones (frozen rank), then the tail merged with the running trials.
        int tail = 0;
        for (int p = absorbedPos; p < size; p++) {
            if (!below[byNumber[p]]) {
                tail++;
            }
        }
        int nExact = broadCount + tail + nRunning;
        double[] eMu = new double[nExact];
        double[] eSigma = new double[nExact];
        double[] eCoef = new double[nExact];
        int e = 0;
        for (int i = 0; i < broadCount; i++, e++) {
            int id = broadIds[i];
            eMu[e] = mu[id];
            eSigma[e] = sigmaInAbove(mu[id], id, sortedRunningMus, nAbove, sigmaMin, range);
            eCoef[e] = weight(broadRanks[i], rampLength, alpha, beta) / (SQRT_2PI * eSigma[e] * mass(mu[id], eSigma[e]));
        }
        int rank = absorbedRank;
        int r = 0;
        for (int p = absorbedPos; p <= size; p++) {
            int id = p < size ? byNumber[p] : -1;
            if (id >= 0 && below[id]) {
                continue;
            }
            while (r < nRunning && (id < 0 || runningNumbers[r] < number[id])) {
                eMu[e] = runningMus[r];
                eSigma[e] = sigmaInAbove(runningMus[r], -1, sortedRunningMus, nAbove, sigmaMin, range);
                eCoef[e] = weight(rank++, rampLength, alpha, beta) / (SQRT_2PI * eSigma[e] * mass(runningMus[r], eSigma[e]));
                e++;
                r++;
            }
            if (id < 0) {
                break;
            }
            eMu[e] = mu[id];
            eSigma[e] = sigmaInAbove(mu[id], id, sortedRunningMus, nAbove, sigmaMin, range);
            eCoef[e] = weight(rank++, rampLength, alpha, beta) / (SQRT_2PI * eSigma[e] * mass(mu[id], eSigma[e]));
            e++;
        }
        double priorMu = 0.5 * (numeric.lo() + numeric.hi());
        double priorCoef = priorWeight / (SQRT_2PI * range * mass(priorMu, range));

        double[] out = new double[xs.length];
        double[] bound = new double[1];
        for (int i = 0; i < xs.length; i++) {
            double x = numeric.transform(xs[i]);
            double zPrior = (x - priorMu) / range;
            double sum = priorCoef * Math.exp(-0.5 * zPrior * zPrior);
            for (int k = 0; k < nExact; k++) {
                double z = (x - eMu[k]) / eSigma[k];
                sum += eCoef[k] * Math.exp(-0.5 * z * z);
            }
            sum += grid.evaluate(x, alpha, beta, bound);
            out[i] = Math.log(sum / totalWeight);
            double abs = bound[0] + 1e-15 * sum;
            logBounds[i] = abs < sum ? abs / (sum - abs) : Double.POSITIVE_INFINITY;
        }
        return out;
    }

    private static double weight(int rank, int rampLength, double alpha, double beta) {
        return rank < rampLength ? (rank == rampLength - 1 ? 1.0 : alpha + beta * rank) : 1.0;
    }

    private double mass(double m, double sigma) {
        return Math.exp(TruncatedNormal.logGaussMass((numeric.lo() - m) / sigma, (numeric.hi() - m) / sigma));
    }

    private void syncBelow() {
        for (int id : belowIds) {
            if (Arrays.binarySearch(belowAtBuild, id) < 0 && tellSequence[id] <= lastFastAskTell) {
                dirty = true; // it was above at an absorption: its gap may have set an absorbed bandwidth
            }
        }
        for (int id : belowAtBuild) {
            if (Arrays.binarySearch(belowIds, id) < 0 && positionByNumber(number[id]) < absorbedPos) {
                dirty = true; // back above behind the absorbed kernels: their ranks shift
            }
        }
        belowAtBuild = belowIds.clone();
    }

    private void absorb(int nFinished, int minRunning, double sigmaMin) {
        while (absorbedPos < size) {
            int id = byNumber[absorbedPos];
            if (below[id]) {
                absorbedPos++;
                continue;
            }
            if (absorbedRank >= nFinished - 25 || number[id] >= minRunning) {
                return;
            }
            int m = muPosition(mu[id], id);
            double left = neighbour(m, -1);
            double right = neighbour(m, +1);
            boolean inner = !Double.isNaN(left) && !Double.isNaN(right);
            if (inner && Math.max(mu[id] - left, right - mu[id]) <= sigmaMin) {
                grid.add(mu[id], 1.0 / (SQRT_2PI * sigmaMin * mass(mu[id], sigmaMin)), absorbedRank);
            } else {
                if (broadCount == broadIds.length) {
                    broadIds = Arrays.copyOf(broadIds, broadCount * 2);
                    broadRanks = Arrays.copyOf(broadRanks, broadCount * 2);
                }
                broadIds[broadCount] = id;
                broadRanks[broadCount++] = absorbedRank;
            }
            lastAbsorbedNumber = number[id];
            absorbedRank++;
            absorbedPos++;
        }
    }

    private int positionByNumber(int trialNumber) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (number[byNumber[mid]] < trialNumber) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Position of (m, id) in the value order (ties by id). */
    private int muPosition(double m, int id) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int other = byMu[mid];
            if (mu[other] < m || (mu[other] == m && other < id)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The nearest finished above value from value-order position {@code m} in direction {@code dir}, or NaN. */
    private double neighbour(int m, int dir) {
        for (int p = dir < 0 ? m - 1 : m + 1; p >= 0 && p < size; p += dir) {
            if (!below[byMu[p]]) {
                return mu[byMu[p]];
            }
        }
        return Double.NaN;
    }

    /** Optuna's bandwidth of the kernel at {@code m} (finished id, or -1 for a running one) among all above ones. */
    private double sigmaInAbove(double m, int id, double[] sortedRunning, int nAbove, double sigmaMin, double range) {
        int pos = muPosition(m, id < 0 ? Integer.MAX_VALUE : id);
        double left = neighbour(pos, -1);
        double right = neighbour(id < 0 ? pos - 1 : pos, +1);
        // running neighbours (a running kernel skips itself once)
        int rp = Arrays.binarySearch(sortedRunning, m);
        boolean selfSkipped = id >= 0;
        int lo = rp >= 0 ? rp : -rp - 1;
        for (int p = lo - 1; p >= 0; p--) {
            left = Double.isNaN(left) ? sortedRunning[p] : Math.max(left, sortedRunning[p]);
            break;
        }
        for (int p = lo; p < sortedRunning.length; p++) {
            if (!selfSkipped && sortedRunning[p] == m) {
                selfSkipped = true;
                continue;
            }
            right = Double.isNaN(right) ? sortedRunning[p] : Math.min(right, sortedRunning[p]);
            break;
        }
        double gapLeft = m - (Double.isNaN(left) ? numeric.lo() : left);
        double gapRight = (Double.isNaN(right) ? numeric.hi() : right) - m;
        double s = Math.max(gapLeft, gapRight);
        if (nAbove >= 2) {
            if (Double.isNaN(left)) {
                s = gapRight;
            } else if (Double.isNaN(right)) {
                s = gapLeft;
            }
        }
        return Math.min(range, Math.max(sigmaMin, s));
    }
}
