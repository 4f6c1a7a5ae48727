package dev.arbiter.engine.features;

import dev.arbiter.testing.TestData;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Series for the tests: the real CSVs under src/test/resources/data (classpath only) and seeded synthetic ones. */
final class TestSeries {

    static final long DAY_MICROS = 86_400_000_000L;

    final String name;
    final long[] ts;
    final double[] open;
    final double[] high;
    final double[] low;
    final double[] close;
    final double[] volume;

    TestSeries(String name, long[] ts, double[] open, double[] high, double[] low, double[] close, double[] volume) {
        this.name = name;
        this.ts = ts;
        this.open = open;
        this.high = high;
        this.low = low;
        this.close = close;
        this.volume = volume;
    }

    int size() {
        return close.length;
    }

    /** Microsoft daily OHLCV, 249 rows; timestamps at 00:00 UTC of each date (test-support's TestData). */
    static TestSeries msft() {
        TestData.Columns c = TestData.msft();
        return new TestSeries(c.name(), c.ts(), c.open(), c.high(), c.low(), c.close(), c.volume());
    }

    /** DAX daily closes, 1860 rows; only closes (high/low/open/volume absent); one day per row index. */
    static TestSeries daxCloses() {
        List<String[]> rows = csv("eustockmarkets_daily.csv");
        int n = rows.size();
        long[] ts = new long[n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            String[] r = rows.get(i);
            ts[i] = Long.parseLong(r[0]) * DAY_MICROS;
            c[i] = Double.parseDouble(r[3]);
        }
        return new TestSeries("DAX", ts, null, null, null, c, null);
    }

    /** BMW price rebuilt from its 6146 daily log returns: 100 * exp(cumulative sum); closes only. */
    static TestSeries bmwPrice() {
        List<String[]> rows = csv("bmw_logreturns_daily.csv");
        int n = rows.size();
        long[] ts = new long[n];
        double[] c = new double[n];
        double cum = 0;
        for (int i = 0; i < n; i++) {
            String[] r = rows.get(i);
            ts[i] = LocalDate.parse(r[0]).atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
            cum += Double.parseDouble(r[1]);
            c[i] = 100.0 * Math.exp(cum);
        }
        return new TestSeries("BMW", ts, null, null, null, c, null);
    }

    /**
     * Seeded OHLC around a level of 1e4 (mean-reverting random walk) with minute timestamps; every 17th
     * observation lacks high and low (NaN).
     */
    static TestSeries synthetic(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] ts = new long[n];
        double[] o = new double[n];
        double[] h = new double[n];
        double[] l = new double[n];
        double[] c = new double[n];
        double[] v = new double[n];
        double x = 1e4;
        long t = 1_700_000_000_000_000L;
        for (int i = 0; i < n; i++) {
            double sigma = i < n / 2 ? 3.0 : 0.5;
            double prev = x;
            x = 1e4 + 0.999 * (x - 1e4) + sigma * gaussian(rnd);
            t += 60_000_000L * (1 + rnd.nextInt(3));
            ts[i] = t;
            o[i] = prev;
            c[i] = x;
            if (i % 17 == 5) {
                h[i] = Double.NaN;
                l[i] = Double.NaN;
            } else {
                h[i] = Math.max(prev, x) + Math.abs(gaussian(rnd)) * sigma;
                l[i] = Math.min(prev, x) - Math.abs(gaussian(rnd)) * sigma;
            }
            v[i] = 1000 + rnd.nextInt(500);
        }
        return new TestSeries("synthetic-" + seed, ts, o, h, l, c, v);
    }

    /** Standard normal from a SplittableRandom (Box-Muller), so the series never depend on java.util.Random. */
    static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * rnd.nextDouble());
    }

    static double at(double[] a, int i) {
        return a == null ? Double.NaN : a[i];
    }

    /** First rows of a series, copied. */
    TestSeries head(int n) {
        return new TestSeries(name, Arrays.copyOf(ts, n), copy(open, n), copy(high, n), copy(low, n),
                Arrays.copyOf(close, n), copy(volume, n));
    }

    private static double[] copy(double[] a, int n) {
        return a == null ? null : Arrays.copyOf(a, n);
    }

    private static List<String[]> csv(String file) {
        return TestData.csv("/data/" + file);
    }
}
