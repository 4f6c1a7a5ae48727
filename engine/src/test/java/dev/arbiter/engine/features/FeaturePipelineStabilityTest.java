package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Long runs of seeded series compared with two-pass computations over each window from a plain array, at every
 * observation of the warm-up, around every change of regime, and at regular checkpoints.
 *
 * <p>Tolerance: 1e-9 relative for every feature with a scale of its own (averages, volatilities, ratios, momentum);
 * 1e-9 absolute (relative above 1) for skewness and excess kurtosis, which are dimensionless, of order 1, and
 * often near 0 where a relative error means nothing. The largest errors seen are printed; they are around 1e-13.
 */
class FeaturePipelineStabilityTest {

    private static final double TOL = 1e-9;

    /** 1.2 million updates around a level of 1e4, with volatility x20 at 400,000 and /1000 at 800,000. */
    @Test
    void millionsOfUpdatesThroughVolatilityRegimesMatchTwoPass() {
        int n = 1_200_000;
        int firstSwitch = 400_000;
        int secondSwitch = 800_000;
        double[] close = new double[n];
        double[] high = new double[n];
        double[] low = new double[n];
        SplittableRandom rnd = new SplittableRandom(20261127L);
        double x = 1e4;
        for (int i = 0; i < n; i++) {
            double sigma = i < firstSwitch ? 1.0 : i < secondSwitch ? 20.0 : 0.02;
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
        int checked = assertMatchesTwoPass("regimes", close, high, low, i -> i < 300
                || (i >= firstSwitch - 3 && i < firstSwitch + 300)
                || (i >= secondSwitch - 3 && i < secondSwitch + 300)
                || i % 50_000 == 0
                || i >= n - 500);
        assertTrue(checked > 1400, "checked " + checked + " observations");
    }

    /**
     * 300,000 updates of a price growing and shrinking 0.1% per step with noise of 1e-7 (the returns' mean is 10,000
     * standard deviations from 0), reversing every 20,000 steps, with a 5% jump every 5,000 steps: trend changes
     * and volatility collapses as each jump leaves a window.
     */
    @Test
    void trendReversalsAndJumpsMatchTwoPass() {
        int n = 300_000;
        double[] close = new double[n];
        SplittableRandom rnd = new SplittableRandom(7L);
        double logPrice = Math.log(1e4);
        for (int i = 0; i < n; i++) {
            double drift = (i / 20_000) % 2 == 0 ? 1e-3 : -1e-3;
            double jump = i % 5_000 == 2_500 ? (rnd.nextBoolean() ? 0.05 : -0.05) : 0.0;
            logPrice += drift + jump + 1e-7 * TestSeries.gaussian(rnd);
            close[i] = Math.exp(logPrice);
        }
        int checked = assertMatchesTwoPass("trends", close, null, null, i -> i < 300
                || i % 20_000 < 120
                || (i % 5_000 >= 2_490 && i % 5_000 < 2_620)
                || i % 1_000 == 0);
        assertTrue(checked > 10_000, "checked " + checked + " observations");
    }

    /**
     * The returns windows are stepped in straight-line code for the first four and in a loop beyond: eight distinct
     * windows (the moments window among the ones beyond four) and two (the smallest set: clustering short and long,
     * moments on the long one) each match two-pass at every observation of a series whose volatility falls by 1000
     * halfway.
     */
    @Test
    void returnsWindowsBeyondFourAndDownToTwoMatchTwoPass() {
        int n = 20_000;
        double[] close = meanReverting(11L, n, i -> i < n / 2 ? 10.0 : 0.01);
        FeatureConfig seven = FeatureConfig.builder().volatilityWindows(2, 3, 5, 8, 13).volClusterShortWindow(4)
                .volClusterLongWindow(30).momentsWindow(21).build();
        FeatureConfig two = FeatureConfig.builder().volatilityWindows().volClusterShortWindow(7)
                .volClusterLongWindow(40).momentsWindow(40).build();
        for (FeatureConfig config : new FeatureConfig[] {seven, two}) {
            FeaturePipeline pipeline = new FeaturePipeline(config);
            FeatureSchema schema = pipeline.schema();
            double[] out = new double[pipeline.size()];
            Map<String, Double> maxError = new TreeMap<>();
            int shortWindow = config.volClusterShortWindow();
            int longWindow = config.volClusterLongWindow();
            int moments = config.momentsWindow();
            String cluster = "vol_cluster_" + shortWindow + "_" + longWindow;
            for (int i = 0; i < n; i++) {
                pipeline.update(60_000_000L * i, Double.NaN, Double.NaN, Double.NaN, close[i], Double.NaN, out, 0);
                if (i == 0) {
                    continue;
                }
                for (int w : config.volatilityWindows()) {
                    rel(maxError, TwoPass.vol(close, i, w), out[schema.indexOf("vol_" + w)], "vol_" + w, i);
                }
                rel(maxError, TwoPass.volCluster(close, i, shortWindow, longWindow), out[schema.indexOf(cluster)],
                        cluster, i);
                abs(maxError, TwoPass.skew(close, i, moments), out[schema.indexOf("skew_" + moments)],
                        "skew_" + moments, i);
                abs(maxError, TwoPass.kurt(close, i, moments), out[schema.indexOf("kurt_" + moments)],
                        "kurt_" + moments, i);
            }
            assertEquals(config.volatilityWindows().length + 3, maxError.size(), maxError.toString());
            System.out.println(schema.id() + ": largest error vs two-pass: " + maxError);
        }
    }

    /**
     * The averages' sets step their first four in straight-line code and the rest in a loop: six SMAs and five EMAs
     * (beyond four), one of each, and none at all, against two-pass means and the EMA recursion at every observation.
     */
    @Test
    void averagesBeyondFourOneAndNoneMatchTwoPass() {
        int n = 5_000;
        double[] close = meanReverting(12L, n, i -> 5.0);
        FeatureConfig many = FeatureConfig.builder().smaWindows(2, 3, 5, 7, 11, 60).emaWindows(3, 5, 8, 13, 21)
                .build();
        FeatureConfig one = FeatureConfig.builder().smaWindows(4).emaWindows(9).build();
        FeatureConfig none = FeatureConfig.builder().smaWindows().emaWindows().build();
        for (FeatureConfig config : new FeatureConfig[] {many, one, none}) {
            FeaturePipeline pipeline = new FeaturePipeline(config);
            FeatureSchema schema = pipeline.schema();
            double[][] emaRef = emaReferences(config, close);
            double[] out = new double[pipeline.size()];
            Map<String, Double> maxError = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                pipeline.update(60_000_000L * i, Double.NaN, Double.NaN, Double.NaN, close[i], Double.NaN, out, 0);
                relAverages(maxError, config, schema, close, emaRef, out, i);
                // the features after the averages still land in their places
                rel(maxError, TwoPass.lagged(close, i, 0) - TwoPass.lagged(close, i, 10),
                        out[schema.indexOf("mom_10")], "mom_10", i);
            }
            assertEquals(config.smaWindows().length + config.emaWindows().length + 1, maxError.size(),
                    maxError.toString());
        }
    }

    /** The EMA recursion over the whole series, one array per configured EMA window. */
    private static double[][] emaReferences(FeatureConfig config, double[] close) {
        int[] windows = config.emaWindows();
        double[][] ref = new double[windows.length][];
        for (int e = 0; e < windows.length; e++) {
            ref[e] = TwoPass.ema(close, windows[e], 2.0 / (windows[e] + 1));
        }
        return ref;
    }

    /** Compares every SMA with the two-pass mean and every EMA with {@code emaRef} at observation {@code i}. */
    private static void relAverages(Map<String, Double> maxError, FeatureConfig config, FeatureSchema schema,
                                    double[] close, double[][] emaRef, double[] out, int i) {
        for (int w : config.smaWindows()) {
            rel(maxError, TwoPass.sma(close, i, w), out[schema.indexOf("sma_" + w)], "sma_" + w, i);
        }
        int[] emaWindows = config.emaWindows();
        for (int e = 0; e < emaWindows.length; e++) {
            rel(maxError, emaRef[e][i], out[schema.indexOf("ema_" + emaWindows[e])], "ema_" + emaWindows[e], i);
        }
    }

    /** Closes reverting to 1e4, with Gaussian steps of standard deviation {@code sigma(i)}. */
    private static double[] meanReverting(long seed, int n, IntToDoubleFunction sigma) {
        double[] close = new double[n];
        SplittableRandom rnd = new SplittableRandom(seed);
        double x = 1e4;
        for (int i = 0; i < n; i++) {
            x = 1e4 + 0.999 * (x - 1e4) + sigma.applyAsDouble(i) * TestSeries.gaussian(rnd);
            close[i] = x;
        }
        return close;
    }

    /** Feeds the series and compares every rolling feature where {@code checkpoint} holds; returns the count. */
    private static int assertMatchesTwoPass(String name, double[] close, double[] high, double[] low,
                                            IntPredicate checkpoint) {
        int n = close.length;
        FeatureConfig config = FeatureConfig.defaults();
        FeaturePipeline pipeline = new FeaturePipeline(config);
        FeatureSchema schema = pipeline.schema();
        double[][] emaRef = emaReferences(config, close);
        double[] atrRef = TwoPass.ema(TwoPass.trueRanges(high, low, close), config.atrWindow(),
                1.0 / config.atrWindow());
        Map<String, Double> maxError = new TreeMap<>();

        double[] out = new double[pipeline.size()];
        double peak = Double.NEGATIVE_INFINITY;
        int checked = 0;
        for (int i = 0; i < n; i++) {
            pipeline.update(1_000_000L * i, Double.NaN, TestSeries.at(high, i), TestSeries.at(low, i), close[i],
                    Double.NaN, out, 0);
            peak = Math.max(peak, close[i]);
            // Relative precision even for tiny drawdowns (close / peak - 1 loses it to cancellation); exactly 0 at a peak.
            double drawdown = (close[i] - peak) / peak;
            assertEquals(drawdown, out[schema.indexOf("drawdown")], 1e-15 * Math.abs(drawdown), "drawdown at " + i);
            if (!checkpoint.test(i)) {
                continue;
            }
            checked++;
            relAverages(maxError, config, schema, close, emaRef, out, i);
            if (i == 0) {
                continue;
            }
            for (int w : config.volatilityWindows()) {
                rel(maxError, TwoPass.vol(close, i, w), out[schema.indexOf("vol_" + w)], "vol_" + w, i);
            }
            rel(maxError, atrRef[i], out[schema.indexOf("atr_14")], "atr_14", i);
            double lag = TwoPass.lagged(close, i, config.momentumWindow());
            rel(maxError, close[i] - lag, out[schema.indexOf("mom_10")], "mom_10", i);
            rel(maxError, (close[i] - lag) / lag * 100, out[schema.indexOf("roc_10")], "roc_10", i);
            abs(maxError, TwoPass.skew(close, i, 50), out[schema.indexOf("skew_50")], "skew_50", i);
            abs(maxError, TwoPass.kurt(close, i, 50), out[schema.indexOf("kurt_50")], "kurt_50", i);
            rel(maxError, TwoPass.efficiencyRatio(close, i, 14), out[schema.indexOf("efficiency_ratio_14")],
                    "efficiency_ratio_14", i);
            rel(maxError, TwoPass.volCluster(close, i, 10, 50), out[schema.indexOf("vol_cluster_10_50")],
                    "vol_cluster_10_50", i);
        }
        assertEquals(n, pipeline.count());
        double lastDrawdown = TwoPass.drawdown(close, n - 1);
        assertEquals(lastDrawdown, out[schema.indexOf("drawdown")], 1e-15 * Math.abs(lastDrawdown));
        System.out.println(name + ": largest error vs two-pass over " + checked + " checkpoints: " + maxError);
        return checked;
    }

    private static void rel(Map<String, Double> maxError, double expected, double actual, String feature, int i) {
        if (Double.isNaN(expected) && Double.isNaN(actual)) {
            return;
        }
        double err = Math.abs(actual - expected);
        if (!(err <= TOL * Math.abs(expected))) {
            fail(feature + " at observation " + i + ": streaming " + actual + " vs two-pass " + expected
                    + " (relative error " + err / Math.abs(expected) + ")");
        }
        if (expected != 0) {
            maxError.merge(feature, err / Math.abs(expected), Math::max);
        }
    }

    private static void abs(Map<String, Double> maxError, double expected, double actual, String feature, int i) {
        double err = Math.abs(actual - expected);
        if (!(err <= TOL * Math.max(1.0, Math.abs(expected)))) {
            fail(feature + " at observation " + i + ": streaming " + actual + " vs two-pass " + expected
                    + " (error " + err + ")");
        }
        maxError.merge(feature, err, Math::max);
    }
}
