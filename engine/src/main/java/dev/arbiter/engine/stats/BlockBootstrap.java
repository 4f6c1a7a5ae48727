package dev.arbiter.engine.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The stationary block bootstrap of Politis and Romano (1994): resamples a time series by concatenating blocks
 * that start at uniformly random positions and have geometrically distributed lengths (mean {@code L}),
 * wrapping around the end, so serial dependence within blocks survives while the resample stays stationary.
 * Used to turn one backtest's per-decision pnl into distributions of pnl, Sharpe ratio and maximum drawdown.
 */
public final class BlockBootstrap {

    /** Indexes of the statistics in each row of {@link #resample}'s answer. */
    public static final int PNL = 0;
    public static final int SHARPE = 1;
    public static final int MAX_DRAWDOWN = 2;
    public static final int STATISTICS = 3;

    private BlockBootstrap() {
    }

    /**
     * Draws {@code resamples} bootstrap paths of {@code pnl} (same length) and answers, per path, total pnl,
     * Sharpe ratio (mean / standard deviation per step, 0 when flat) and maximum drawdown of the cumulative pnl,
     * as a {@code resamples × STATISTICS} row-major matrix. Deterministic for a seed.
     */
    public static double[] resample(double[] pnl, double meanBlockLength, int resamples, long seed) {
        int n = pnl.length;
        if (n == 0) {
            throw new IllegalArgumentException("pnl is empty; a bootstrap needs at least one decision");
        }
        if (!(meanBlockLength >= 1) || !Double.isFinite(meanBlockLength)) {
            throw new IllegalArgumentException("meanBlockLength is " + meanBlockLength + "; use a length >= 1 decision");
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples is " + resamples + "; draw at least 1");
        }
        double restart = 1 / meanBlockLength;
        SplittableRandom random = new SplittableRandom(seed);
        double[] out = new double[resamples * STATISTICS];
        for (int b = 0; b < resamples; b++) {
            int at = random.nextInt(n);
            double sum = 0;
            double squares = 0;
            double peak = 0;
            double maxDrawdown = 0;
            for (int i = 0; i < n; i++) {
                if (i > 0 && random.nextDouble() < restart) {
                    at = random.nextInt(n);
                }
                double x = pnl[at];
                sum += x;
                squares += x * x;
                peak = Math.max(peak, sum);
                maxDrawdown = Math.max(maxDrawdown, peak - sum);
                at = at + 1 == n ? 0 : at + 1;
            }
            double mean = sum / n;
            double variance = squares / n - mean * mean;
            out[b * STATISTICS + PNL] = sum;
            out[b * STATISTICS + SHARPE] = variance > 1e-300 ? mean / Math.sqrt(variance) : 0;
            out[b * STATISTICS + MAX_DRAWDOWN] = maxDrawdown;
        }
        return out;
    }

    /**
     * One stationary-bootstrap path of positions 0..n-1 into {@code out} (length n): for statistics that need the
     * same resampled decisions across several series of values (paired comparisons).
     */
    public static void path(int n, double meanBlockLength, SplittableRandom random, int[] out) {
        if (!(meanBlockLength >= 1) || !Double.isFinite(meanBlockLength)) {
            throw new IllegalArgumentException("meanBlockLength is " + meanBlockLength + "; use a length >= 1 decision");
        }
        double restart = 1 / meanBlockLength;
        int at = random.nextInt(n);
        for (int i = 0; i < n; i++) {
            if (i > 0 && random.nextDouble() < restart) {
                at = random.nextInt(n);
            }
            out[i] = at;
            at = at + 1 == n ? 0 : at + 1;
        }
    }

    /** Column {@code statistic} of a resample matrix, sorted ascending. */
    public static double[] sortedColumn(double[] matrix, int statistic) {
        int rows = matrix.length / STATISTICS;
        double[] c = new double[rows];
        for (int i = 0; i < rows; i++) {
            c[i] = matrix[i * STATISTICS + statistic];
        }
        Arrays.sort(c);
        return c;
    }

    /** The {@code percentile} (0–100) of ascending {@code sorted}, by linear interpolation between order statistics. */
    public static double percentile(double[] sorted, double percentile) {
        if (sorted.length == 1) {
            return sorted[0];
        }
        double rank = percentile / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
