package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * 1.2 million updates of a seeded random walk at a level of 1e4 with two volatility regime changes (x20, then
 * /1000), compared with two-pass computations over the window from a plain array: at every observation of the
 * warm-up, around each regime change, every 50,000 observations and over the last 500.
 *
 * <p>Tolerance: 1e-9 relative for every feature with a scale of its own (averages, volatilities, ratios,
 * momentum); 1e-9 absolute (relative above 1) for skewness and excess kurtosis, which are dimensionless, of order 1,
 * and often near 0 where a relative error means nothing.
 */
class FeaturePipelineStabilityTest {

    private static final int N = 1_200_000;
    private static final int FIRST_SWITCH = 400_000;
    private static final int SECOND_SWITCH = 800_000;
    private static final double TOL = 1e-9;

    @Test
    void millionsOfUpdatesMatchTwoPassComputation() {
        double[] close = new double[N];
        double[] high = new double[N];
        double[] low = new double[N];
        SplittableRandom rnd = new SplittableRandom(20261127L);
        double x = 1e4;
        for (int i = 0; i < N; i++) {
            double sigma = i < FIRST_SWITCH ? 1.0 : i < SECOND_SWITCH ? 20.0 : 0.02;
            x = 1e4 + 0.999 * (x - 1e4) + sigma * TestSeries.gaussian(rnd);
            close[i] = x;
            if (i % 97 == 3) {
                high[i] = Double.NaN;
                low[i] = Double.NaN;
            } else {
                high[i] = x + Math.abs(TestSeries.gaussian(rnd)) * sigma;
                low[i] = x - Math.abs(TestSeries.gaussian(rnd)) * sigma;
            }
        }
        assertTrue(min(close) > 0, "the walk must stay positive");

        FeatureConfig config = FeatureConfig.defaults();
        FeaturePipeline pipeline = new FeaturePipeline(config);
        FeatureSchema schema = pipeline.schema();
        int[] emaWindows = config.emaWindows();
        double[][] emaRef = new double[emaWindows.length][];
        for (int e = 0; e < emaWindows.length; e++) {
            emaRef[e] = TwoPass.ema(close, emaWindows[e], 2.0 / (emaWindows[e] + 1));
        }
        double[] atrRef = TwoPass.ema(TwoPass.trueRanges(high, low, close), config.atrWindow(), 1.0 / config.atrWindow());

        double[] out = new double[pipeline.size()];
        double peak = Double.NEGATIVE_INFINITY;
        int checked = 0;
        for (int i = 0; i < N; i++) {
            pipeline.update(1_000_000L * i, Double.NaN, high[i], low[i], close[i], Double.NaN, out, 0);
            peak = Math.max(peak, close[i]);
            if (!checkpoint(i)) {
                continue;
            }
            checked++;
            for (int w : config.smaWindows()) {
                rel(TwoPass.sma(close, i, w), out[schema.indexOf("sma_" + w)], "sma_" + w, i);
            }
            for (int e = 0; e < emaWindows.length; e++) {
                rel(emaRef[e][i], out[schema.indexOf("ema_" + emaWindows[e])], "ema_" + emaWindows[e], i);
            }
            if (i == 0) {
                continue;
            }
            for (int w : config.volatilityWindows()) {
                rel(TwoPass.vol(close, i, w), out[schema.indexOf("vol_" + w)], "vol_" + w, i);
            }
            rel(atrRef[i], out[schema.indexOf("atr_14")], "atr_14", i);
            double lag = TwoPass.lagged(close, i, config.momentumWindow());
            rel(close[i] - lag, out[schema.indexOf("mom_10")], "mom_10", i);
            rel((close[i] - lag) / lag * 100, out[schema.indexOf("roc_10")], "roc_10", i);
            abs(TwoPass.skew(close, i, 50), out[schema.indexOf("skew_50")], "skew_50", i);
            abs(TwoPass.kurt(close, i, 50), out[schema.indexOf("kurt_50")], "kurt_50", i);
            rel(TwoPass.efficiencyRatio(close, i, 14), out[schema.indexOf("efficiency_ratio_14")],
                    "efficiency_ratio_14", i);
            rel(TwoPass.volCluster(close, i, 10, 50), out[schema.indexOf("vol_cluster_10_50")],
                    "vol_cluster_10_50", i);
            assertEquals(close[i] / peak - 1.0, out[schema.indexOf("drawdown")], 0.0, "drawdown at " + i);
        }
        System.out.println("largest error vs two-pass over " + checked + " checkpoints: " + MAX_ERROR);
        assertEquals(N, pipeline.count());
        assertTrue(checked > 1400, "checked " + checked + " observations");
        // the two-pass drawdown over the whole array, once
        assertEquals(TwoPass.drawdown(close, N - 1), out[schema.indexOf("drawdown")], 0.0);
    }

    private static boolean checkpoint(int i) {
        return i < 300
                || (i >= FIRST_SWITCH - 3 && i < FIRST_SWITCH + 300)
                || (i >= SECOND_SWITCH - 3 && i < SECOND_SWITCH + 300)
                || i % 50_000 == 0
                || i >= N - 500;
    }

    /** Largest error seen per feature (relative, or absolute for skew/kurt), printed for the record. */
    private static final Map<String, Double> MAX_ERROR = new TreeMap<>();

    private static void rel(double expected, double actual, String feature, int i) {
        if (Double.isNaN(expected) && Double.isNaN(actual)) {
            return;
        }
        double err = Math.abs(actual - expected);
        if (expected != 0) {
            MAX_ERROR.merge(feature, err / Math.abs(expected), Math::max);
        }
        if (!(err <= TOL * Math.abs(expected))) {
            fail(feature + " at observation " + i + ": streaming " + actual + " vs two-pass " + expected
                    + " (relative error " + err / Math.abs(expected) + ")");
        }
    }

    private static void abs(double expected, double actual, String feature, int i) {
        double err = Math.abs(actual - expected);
        MAX_ERROR.merge(feature, err, Math::max);
        if (!(err <= TOL * Math.max(1.0, Math.abs(expected)))) {
            fail(feature + " at observation " + i + ": streaming " + actual + " vs two-pass " + expected
                    + " (error " + err + ")");
        }
    }

    private static double min(double[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : a) {
            m = Math.min(m, v);
        }
        return m;
    }
}
