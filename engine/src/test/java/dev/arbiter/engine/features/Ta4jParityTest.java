package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ta4j.core.BarSeries;
import org.ta4j.core.BaseBarSeriesBuilder;
import org.ta4j.core.Indicator;
import org.ta4j.core.indicators.ATRIndicator;
import org.ta4j.core.indicators.ROCIndicator;
import org.ta4j.core.indicators.averages.EMAIndicator;
import org.ta4j.core.indicators.averages.SMAIndicator;
import org.ta4j.core.indicators.helpers.ClosePriceIndicator;
import org.ta4j.core.indicators.helpers.ClosePriceRatioIndicator;
import org.ta4j.core.indicators.helpers.DifferenceIndicator;
import org.ta4j.core.indicators.helpers.RunningTotalIndicator;
import org.ta4j.core.indicators.numeric.NumericIndicator;
import org.ta4j.core.indicators.numeric.UnaryOperationIndicator;
import org.ta4j.core.indicators.statistics.StandardDeviationIndicator;
import org.ta4j.core.num.DoubleNum;
import org.ta4j.core.num.DoubleNumFactory;
import org.ta4j.core.num.NaN;
import org.ta4j.core.num.Num;

/**
 * Parity with ta4j (DoubleNum) on real series, to 1e-9 relative, for every feature ta4j has or can be assembled
 * from its pieces:
 * <ul>
 *   <li>sma_n: SMAIndicator, from observation 0 (both use the partial window).</li>
 *   <li>ema_n: EMAIndicator; both NaN before observation n, compared from n.</li>
 *   <li>atr_n: ATRIndicator; both NaN before n, compared from n. For close-only series ta4j gets bars with
 *       high = low = close and the engine gets NaN high/low, which checks the close-to-close fallback.</li>
 *   <li>roc_n: ROCIndicator, from observation 0 (both read close[max(0, i - n)]).</li>
 *   <li>mom_n: close minus close.previous(n); ta4j's previous is NaN before n (the engine reads close[0]), so
 *       compared from n.</li>
 *   <li>vol_n: StandardDeviationIndicator (population, as the engine) over log(ClosePriceRatioIndicator); ta4j's
 *       ratio is 1 (a log return of 0) at index 0, which the engine leaves out, so compared from n, the first
 *       window without index 0.</li>
 *   <li>efficiency_ratio_n: |close - close.previous(n)| / RunningTotalIndicator(|DifferenceIndicator|, n), with
 *       ta4j's NaN difference at index 0 replaced by 0; compared from n.</li>
 *   <li>vol_cluster_s_l: ratio of the two StandardDeviationIndicators; compared from l.</li>
 * </ul>
 * Skewness, kurtosis, the cyclical time features and drawdown have no ta4j counterpart; the two-pass test covers
 * them.
 */
class Ta4jParityTest {

    private static final double TOL = 1e-9;

    static Stream<Arguments> series() {
        return Stream.of(
                Arguments.of(TestSeries.msft()),
                Arguments.of(TestSeries.daxCloses()),
                Arguments.of(TestSeries.bmwPrice()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("series")
    void featuresMatchTa4j(TestSeries s) {
        FeatureConfig config = FeatureConfig.defaults();
        FeatureSchema schema = FeatureSchema.of(config);
        double[] ours = FeatureBatch.compute(config, s.ts, s.open, s.high, s.low, s.close, s.volume);
        BarSeries bars = toBarSeries(s);
        ClosePriceIndicator close = new ClosePriceIndicator(bars);
        Indicator<Num> logReturn = UnaryOperationIndicator.log(new ClosePriceRatioIndicator(bars));
        List<String> compared = new ArrayList<>();

        for (int n : config.smaWindows()) {
            compare(s, schema, ours, "sma_" + n, new SMAIndicator(close, n), 0, compared);
        }
        for (int n : config.emaWindows()) {
            compare(s, schema, ours, "ema_" + n, new EMAIndicator(close, n), 0, compared);
        }
        for (int n : config.volatilityWindows()) {
            compare(s, schema, ours, "vol_" + n, new StandardDeviationIndicator(logReturn, n), n, compared);
        }
        int atr = config.atrWindow();
        compare(s, schema, ours, "atr_" + atr, new ATRIndicator(bars, atr), 0, compared);
        int m = config.momentumWindow();
        NumericIndicator c = NumericIndicator.of(close);
        compare(s, schema, ours, "mom_" + m, c.minus(c.previous(m)), m, compared);
        compare(s, schema, ours, "roc_" + m, new ROCIndicator(close, m), 0, compared);
        int r = config.regimeWindow();
        Indicator<Num> moves = UnaryOperationIndicator.substitute(
                UnaryOperationIndicator.abs(new DifferenceIndicator(close)), NaN.NaN, DoubleNum.valueOf(0));
        compare(s, schema, ours, "efficiency_ratio_" + r,
                c.minus(c.previous(r)).abs().dividedBy(new RunningTotalIndicator(moves, r)), r, compared);
        int shortWindow = config.volClusterShortWindow();
        int longWindow = config.volClusterLongWindow();
        compare(s, schema, ours, "vol_cluster_" + shortWindow + "_" + longWindow,
                NumericIndicator.of(new StandardDeviationIndicator(logReturn, shortWindow))
                        .dividedBy(new StandardDeviationIndicator(logReturn, longWindow)),
                longWindow, compared);

        assertEquals(14, compared.size(), "features compared: " + compared);
        System.out.println(s.name + ": largest relative error vs ta4j per feature: " + compared);
    }

    /**
     * Compares one feature from observation {@code from}; before it, where ta4j reports NaN (unstable bars), the
     * engine must report NaN too only for EMA and ATR, whose warm-up follows ta4j's.
     */
    private static void compare(TestSeries s, FeatureSchema schema, double[] ours, String feature,
                                Indicator<Num> theirs, int from, List<String> compared) {
        int f = schema.indexOf(feature);
        assertTrue(f >= 0, feature);
        int size = schema.size();
        int checked = 0;
        double maxErr = 0;
        for (int i = 0; i < s.size(); i++) {
            double expected = theirs.getValue(i).doubleValue();
            double actual = ours[i * size + f];
            if (i < from) {
                continue;
            }
            if (Double.isNaN(expected) || Double.isNaN(actual)) {
                assertTrue(Double.isNaN(expected) && Double.isNaN(actual),
                        s.name + " " + feature + " at " + i + ": ta4j " + expected + ", engine " + actual);
                continue;
            }
            double err = Math.abs(actual - expected);
            if (!(err <= TOL * Math.max(Math.abs(expected), Math.abs(actual)))) {
                throw new AssertionError(s.name + " " + feature + " at observation " + i + ": ta4j " + expected
                        + ", engine " + actual + " (relative error " + err / Math.abs(expected) + ")");
            }
            checked++;
            if (expected != 0) {
                maxErr = Math.max(maxErr, err / Math.abs(expected));
            }
        }
        assertTrue(checked > s.size() - 60, s.name + " " + feature + ": only " + checked + " finite values compared");
        compared.add(feature + "=" + (float) maxErr);
    }

    /** ta4j bars with DoubleNum; a close-only series gets open = high = low = close. */
    private static BarSeries toBarSeries(TestSeries s) {
        BarSeries bars = new BaseBarSeriesBuilder().withName(s.name)
                .withNumFactory(DoubleNumFactory.getInstance()).build();
        for (int i = 0; i < s.size(); i++) {
            double c = s.close[i];
            bars.barBuilder()
                    .timePeriod(Duration.ofDays(1))
                    .endTime(Instant.EPOCH.plus(Duration.ofNanos(s.ts[i] * 1000)).plus(Duration.ofDays(1)))
                    .openPrice(s.open == null ? c : s.open[i])
                    .highPrice(s.high == null ? c : s.high[i])
                    .lowPrice(s.low == null ? c : s.low[i])
                    .closePrice(c)
                    .volume(s.volume == null ? 0 : s.volume[i])
                    .add();
        }
        return bars;
    }
}
