package dev.arbiter.bench;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.engine.features.FeatureSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
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
 * Feature updates per second on one series: the engine's full default set (21 features) against ta4j computing
 * the same indicators, one new observation per benchmark operation, in one JMH run.
 *
 * <p>The series is a seeded synthetic OHLC walk at a level of 1e4 (65,536 observations, replayed in a loop with
 * timestamps that keep increasing by one minute).
 *
 * <p>ta4j is used in its fastest incremental form, as a live system would: DoubleNum; one BarSeries with a maximum
 * bar count of 256 (more than the longest window, 50 returns), so memory stays bounded; the indicators are built
 * once and, after each new bar, only {@code getValue(endIndex)} is called, so its cached and recursive indicators
 * (SMA's running total, EMA, Wilder's ATR) reuse the previous bar's values and do O(1) work. Shared inputs are
 * shared (one log-return indicator for all standard deviations; the clustering ratio reuses the 10 and 50
 * standard deviations). ta4j gets the features it has or can assemble from its pieces: SMA 5/10/20/50, EMA 12/26,
 * population standard deviation of log returns 10/20/50, ATR 14, momentum 10, ROC 10, efficiency ratio 14 and the
 * 10/50 volatility ratio; the engine additionally computes skewness, kurtosis, four cyclical time features and
 * drawdown, so the ratio understates the engine's advantage. A setup check asserts both sides agree before
 * measuring.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FeatureUpdateBenchmark {

    static final int SERIES_LENGTH = 1 << 16;
    static final int TA4J_MAX_BARS = 256;
    static final long MINUTE_MICROS = 60_000_000L;
    static final long START_MICROS = 1_700_000_000_000_000L;

    /** The replayed synthetic series, identical for both sides. */
    static final class Series {
        final double[] open = new double[SERIES_LENGTH];
        final double[] high = new double[SERIES_LENGTH];
        final double[] low = new double[SERIES_LENGTH];
        final double[] close = new double[SERIES_LENGTH];
        final double[] volume = new double[SERIES_LENGTH];

        Series(long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            double x = 1e4;
            for (int i = 0; i < SERIES_LENGTH; i++) {
                double prev = x;
                x = 1e4 + 0.999 * (x - 1e4) + 5.0 * gaussian(rnd);
                open[i] = prev;
                close[i] = x;
                high[i] = Math.max(prev, x) + Math.abs(gaussian(rnd)) * 2.0;
                low[i] = Math.min(prev, x) - Math.abs(gaussian(rnd)) * 2.0;
                volume[i] = 1_000 + rnd.nextInt(1_000);
            }
        }

        private static double gaussian(SplittableRandom rnd) {
            double u = 1.0 - rnd.nextDouble();
            return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * rnd.nextDouble());
        }
    }

    @State(Scope.Thread)
    public static class EngineState {
        Series series;
        FeaturePipeline pipeline;
        double[] out;
        int next;
        long tsMicros;

        @Setup
        public void setUp() {
            series = new Series(42);
            pipeline = new FeaturePipeline(FeatureConfig.defaults());
            out = new double[pipeline.size()];
            tsMicros = START_MICROS;
            for (int i = 0; i < TA4J_MAX_BARS; i++) {
                update();
            }
        }

        void update() {
            int k = next;
            next = k + 1 == SERIES_LENGTH ? 0 : k + 1;
            tsMicros += MINUTE_MICROS;
            pipeline.update(tsMicros, series.open[k], series.high[k], series.low[k], series.close[k], series.volume[k],
                    out, 0);
        }
    }

    @State(Scope.Thread)
    public static class Ta4jState {
        Series series;
        BarSeries bars;
        List<Indicator<Num>> indicators;
        List<String> names;
        int next;
        long tsMicros;

        @Setup
        public void setUp() {
            checkAgreement(2_000);
            init();
        }

        void init() {
            series = new Series(42);
            bars = new BaseBarSeriesBuilder().withName("bench")
                    .withNumFactory(DoubleNumFactory.getInstance())
                    .withMaxBarCount(TA4J_MAX_BARS)
                    .build();
            FeatureConfig config = FeatureConfig.defaults();
            ClosePriceIndicator close = new ClosePriceIndicator(bars);
            NumericIndicator c = NumericIndicator.of(close);
            Indicator<Num> logReturn = UnaryOperationIndicator.log(new ClosePriceRatioIndicator(bars));
            indicators = new ArrayList<>();
            names = new ArrayList<>();
            for (int n : config.smaWindows()) {
                add("sma_" + n, new SMAIndicator(close, n));
            }
            for (int n : config.emaWindows()) {
                add("ema_" + n, new EMAIndicator(close, n));
            }
            StandardDeviationIndicator[] vol = new StandardDeviationIndicator[config.volatilityWindows().length];
            for (int v = 0; v < vol.length; v++) {
                int n = config.volatilityWindows()[v];
                vol[v] = new StandardDeviationIndicator(logReturn, n);
                add("vol_" + n, vol[v]);
            }
            add("atr_14", new ATRIndicator(bars, config.atrWindow()));
            int m = config.momentumWindow();
            add("mom_" + m, c.minus(c.previous(m)));
            add("roc_" + m, new ROCIndicator(close, m));
            int r = config.regimeWindow();
            Indicator<Num> moves = UnaryOperationIndicator.substitute(
                    UnaryOperationIndicator.abs(new DifferenceIndicator(close)), NaN.NaN, DoubleNum.valueOf(0));
            add("efficiency_ratio_" + r, c.minus(c.previous(r)).abs().dividedBy(new RunningTotalIndicator(moves, r)));
            // vol_10 and vol_50 are vol[0] and vol[2] with the defaults: reuse their cached values, as the engine does
            add("vol_cluster_10_50", NumericIndicator.of(vol[0]).dividedBy(vol[2]));
            tsMicros = START_MICROS;
            for (int i = 0; i < TA4J_MAX_BARS; i++) {
                addBarAndEvaluate(null);
            }
        }

        private void add(String name, Indicator<Num> indicator) {
            names.add(name);
            indicators.add(indicator);
        }

        void addBarAndEvaluate(Blackhole bh) {
            int end = addBar();
            for (int i = 0, n = indicators.size(); i < n; i++) {
                Num v = indicators.get(i).getValue(end);
                if (bh != null) {
                    bh.consume(v);
                }
            }
        }

        /** The same outside JMH: adds the next bar and answers the sum of every indicator's new value. */
        double addBarAndSum() {
            int end = addBar();
            double sum = 0;
            for (int i = 0, n = indicators.size(); i < n; i++) {
                sum += indicators.get(i).getValue(end).doubleValue();
            }
            return sum;
        }

        private int addBar() {
            int k = next;
            next = k + 1 == SERIES_LENGTH ? 0 : k + 1;
            tsMicros += MINUTE_MICROS;
            bars.barBuilder()
                    .timePeriod(Duration.ofMinutes(1))
                    .endTime(Instant.ofEpochSecond(tsMicros / 1_000_000L))
                    .openPrice(series.open[k])
                    .highPrice(series.high[k])
                    .lowPrice(series.low[k])
                    .closePrice(series.close[k])
                    .volume(series.volume[k])
                    .add();
            return bars.getEndIndex();
        }
    }

    /** One observation through the engine's full default feature set (21 features). */
    @Benchmark
    public double engineFullSetUpdate(EngineState s) {
        s.update();
        return s.out[0] + s.out[s.out.length - 1];
    }

    /** One new bar through ta4j's equivalents of the engine's features (13 of the 21). */
    @Benchmark
    public void ta4jSameIndicatorsOneNewBar(Ta4jState s, Blackhole bh) {
        s.addBarAndEvaluate(bh);
    }

    /** Runs both sides over the same observations and fails if they disagree; used once before measuring. */
    static void checkAgreement(int observations) {
        EngineState engine = new EngineState();
        engine.setUp();
        Ta4jState ta4j = new Ta4jState();
        ta4j.init();
        FeatureSchema schema = engine.pipeline.schema();
        for (int step = 0; step < observations; step++) {
            engine.update();
            ta4j.addBarAndEvaluate(null);
            int end = ta4j.bars.getEndIndex();
            for (int i = 0; i < ta4j.names.size(); i++) {
                double theirs = ta4j.indicators.get(i).getValue(end).doubleValue();
                double ours = engine.out[schema.indexOf(ta4j.names.get(i))];
                if (!(Math.abs(theirs - ours) <= 1e-9 * Math.abs(theirs))) {
                    throw new IllegalStateException(ta4j.names.get(i) + " differs at step " + step + ": engine "
                            + ours + ", ta4j " + theirs);
                }
            }
        }
    }

    /** {@code java -cp benchmarks.jar dev.arbiter.bench.FeatureUpdateBenchmark}: the agreement check alone. */
    public static void main(String[] args) {
        checkAgreement(args.length > 0 ? Integer.parseInt(args[0]) : 10_000);
        System.out.println("engine and ta4j agree to 1e-9 on every shared feature");
    }
}
