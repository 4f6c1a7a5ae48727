package dev.arbiter.engine.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * Optuna's WilcoxonPruner: compares the running trial's intermediate values with the best complete trial's on the
 * steps both have (for walk-forward evaluation, one step per fold) by a one-sided Wilcoxon signed-rank test, and
 * prunes when the trial is significantly worse (p below {@code pThreshold}), unless its average is still at least as
 * good as the best trial's (Optuna's safety). No decision before {@code max(2, nStartupSteps)} common steps, or when a
 * value is infinite or NaN.
 *
 * <p>The test is SciPy's {@code wilcoxon(d, alternative, zero_method="zsplit")}, method "auto", as Optuna calls it:
 * average ranks of |d| (commons-math3's {@link NaturalRanking}), zeros' ranks split half to each side; then the exact
 * null distribution when there are at most 50 differences and neither ties nor zeros, all 2^n sign flips when there
 * are ties or zeros and at most 13 differences, and otherwise the normal approximation with the tie correction and
 * no continuity correction. commons-math3's own {@code WilcoxonSignedRankTest} is not used: it is two-sided only,
 * counts zeros as negative, and its exact p-value ignores ties.
 */
public final class WilcoxonPruner implements Pruner {

    private final double pThreshold;
    private final int nStartupSteps;

    public WilcoxonPruner(double pThreshold, int nStartupSteps) {
        if (!(pThreshold >= 0 && pThreshold <= 1)) {
            throw new IllegalArgumentException("pThreshold is " + pThreshold + "; pass a value in [0, 1]");
        }
        if (nStartupSteps < 0) {
            throw new IllegalArgumentException("nStartupSteps is " + nStartupSteps + "; pass 0 or more");
        }
        this.pThreshold = pThreshold;
        this.nStartupSteps = nStartupSteps;
    }

    /** Optuna's defaults: p threshold 0.1, 2 startup steps. */
    public WilcoxonPruner() {
        this(0.1, 2);
    }

    @Override
    public boolean shouldPrune(StudyView study, Trial trial) {
        if (trial.intermediateValues().isEmpty() || !allFinite(trial.intermediateValues())) {
            return false;
        }
        var best = study.bestTrial();
        if (best.isEmpty() || best.get().intermediateValues().isEmpty()
                || !allFinite(best.get().intermediateValues())) {
            return false;
        }
        var bestValues = best.get().intermediateValues();
        List<Double> diffs = new ArrayList<>();
        for (var e : trial.intermediateValues().entrySet()) {
            Double b = bestValues.get(e.getKey());
            if (b != null) {
                diffs.add(e.getValue() - b);
            }
        }
        if (diffs.size() < Math.max(2, nStartupSteps)) {
            return false;
        }
        double meanBest = mean(bestValues);
        double meanTrial = mean(trial.intermediateValues());
        boolean maximize = study.direction() == Direction.MAXIMIZE;
        boolean averageIsBest = maximize ? meanBest <= meanTrial : meanBest >= meanTrial;
        double[] d = diffs.stream().mapToDouble(Double::doubleValue).toArray();
        double p = signedRankPValue(d, !maximize);
        return p < pThreshold && !averageIsBest;
    }

    private static boolean allFinite(Map<Integer, Double> values) {
        return values.values().stream().allMatch(Double::isFinite);
    }

    private static double mean(Map<Integer, Double> values) {
        double s = 0;
        for (double v : values.values()) {
            s += v;
        }
        return s / values.size();
    }

    /**
     * One-sided p-value of the signed-rank test of {@code d}: alternative "greater" (the differences tend to be
     * positive) when {@code greater}, else "less". SciPy's zsplit and "auto" rules (see the class comment).
     */
    static double signedRankPValue(double[] d, boolean greater) {
        int n = d.length;
        double[] abs = new double[n];
        for (int i = 0; i < n; i++) {
            abs[i] = Math.abs(d[i]);
        }
        double[] ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(abs);
        double rPlus = statistic(d, ranks, 0);
        boolean zeros = false;
        for (double v : d) {
            zeros |= v == 0;
        }
        double tieCorrection = 0;
        double[] sorted = abs.clone();
        java.util.Arrays.sort(sorted);
        boolean ties = false;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && sorted[j] == sorted[i]) {
                j++;
            }
            double t = j - i;
            ties |= t > 1;
            tieCorrection += t * t * t - t;
            i = j;
        }
        if (n <= 50 && !ties && !zeros) {
            return exact(n, rPlus, greater);
        }
        if (n <= 13) {
            return permutation(d, ranks, rPlus, greater);
        }
        double mn = n * (n + 1.0) * 0.25;
        double se = Math.sqrt((n * (n + 1.0) * (2.0 * n + 1.0) - tieCorrection / 2) / 24);
        double z = (rPlus - mn) / se;
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        return greater ? TruncatedNormal.ndtr(-z) : TruncatedNormal.ndtr(z);
    }

    /** Sum of the ranks of positive differences plus half those of zeros, with signs flipped by {@code mask}. */
    private static double statistic(double[] d, double[] ranks, int mask) {
        double s = 0;
        for (int i = 0; i < d.length; i++) {
            double v = ((mask >> i) & 1) == 1 ? -d[i] : d[i];
            if (v > 0) {
                s += ranks[i];
            } else if (v == 0) {
                s += ranks[i] / 2;
            }
        }
        return s;
    }

    /** Exact: P(T >= floor(r)) or P(T <= ceil(r)) under the null distribution of T for n differences. */
    private static double exact(int n, double rPlus, boolean greater) {
        int max = n * (n + 1) / 2;
        double[] counts = new double[max + 1];
        counts[0] = 1;
        for (int k = 1; k <= n; k++) {
            for (int s = max; s >= k; s--) {
                counts[s] += counts[s - k];
            }
        }
        double total = Math.pow(2, n);
        double p = 0;
        if (greater) {
            for (int s = (int) Math.floor(rPlus); s <= max; s++) {
                p += counts[s];
            }
        } else {
            for (int s = 0; s <= Math.ceil(rPlus) && s <= max; s++) {
                p += counts[s];
            }
        }
        return p / total;
    }

    /** Every sign flip (SciPy's exhaustive permutation test, tolerance 100 ulps of the statistic). */
    private static double permutation(double[] d, double[] ranks, double observed, boolean greater) {
        int total = 1 << d.length;
        double gamma = Math.abs(100 * Math.ulp(1.0) * observed);
        int hits = 0;
        for (int mask = 0; mask < total; mask++) {
            double s = statistic(d, ranks, mask);
            if (greater ? s >= observed - gamma : s <= observed + gamma) {
                hits++;
            }
        }
        return (double) hits / total;
    }
}
