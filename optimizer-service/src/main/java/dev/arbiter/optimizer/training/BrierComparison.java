package dev.arbiter.optimizer.training;

import dev.arbiter.engine.stats.BlockBootstrap;

/**
 * A challenger against the champion on the same validation rows: the mean per-row difference of squared errors
 * (challenger minus champion; negative = the challenger is better) and its 95 % interval by the stationary block
 * bootstrap ({@link BlockBootstrap}), whose blocks keep the dependence of neighbouring rows (labels that look
 * {@code horizon} rows ahead overlap; errors cluster in regimes). Mean block length max(2 x horizon, 10) rows,
 * {@value #RESAMPLES} resamples, deterministic for a seed.
 *
 * @param mean the observed mean difference
 * @param lower the 2.5th percentile of the resampled means
 * @param upper the 97.5th percentile
 */
public record BrierComparison(double mean, double lower, double upper) {

    static final int RESAMPLES = 2_000;

    /**
     * @param challenger the challenger's probabilities, row by row
     * @param champion the champion's on the same rows
     * @param y the labels (0 or 1)
     */
    public static BrierComparison of(double[] challenger, double[] champion, int[] y, int horizon, long seed) {
        int n = y.length;
        if (challenger.length != n || champion.length != n || n == 0) {
            throw new IllegalArgumentException(challenger.length + " challenger, " + champion.length + " champion and "
                    + n + " labels; give the same rows, at least one");
        }
        double[] d = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double a = challenger[i] - y[i];
            double b = champion[i] - y[i];
            d[i] = a * a - b * b;
            sum += d[i];
        }
        double[] paths = BlockBootstrap.resample(d, Math.max(2.0 * horizon, 10.0), RESAMPLES, seed);
        double[] totals = BlockBootstrap.sortedColumn(paths, BlockBootstrap.PNL);
        return new BrierComparison(sum / n, BlockBootstrap.percentile(totals, 2.5) / n,
                BlockBootstrap.percentile(totals, 97.5) / n);
    }
}
