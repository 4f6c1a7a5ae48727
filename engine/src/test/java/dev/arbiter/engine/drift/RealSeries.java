package dev.arbiter.engine.drift;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.testing.TestData;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The real series of src/test/resources/data as closes, and their default feature rows (after warm-up). */
record RealSeries(String name, String[] dates, long[] ts, double[] close) {

    static final long DAY_MICROS = 86_400_000_000L;

    static List<RealSeries> all() {
        List<RealSeries> out = new ArrayList<>();
        out.add(bmw());
        out.addAll(euStocks());
        out.add(taylor());
        return out;
    }

    /** BMW price rebuilt from its 6146 daily log returns (1973-01-02 .. 1996-07-23). */
    static RealSeries bmw() {
        List<String[]> rows = TestData.csv("/data/bmw_logreturns_daily.csv");
        int n = rows.size();
        String[] dates = new String[n];
        long[] ts = new long[n];
        double[] c = new double[n];
        double cum = 0;
        for (int i = 0; i < n; i++) {
            dates[i] = rows.get(i)[0];
            ts[i] = LocalDate.parse(dates[i]).atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
            cum += Double.parseDouble(rows.get(i)[1]);
            c[i] = 100.0 * Math.exp(cum);
        }
        return new RealSeries("BMW", dates, ts, c);
    }

    /** DAX, SMI, CAC and FTSE daily closes (1991-07 .. 1998-08, dates approximate). */
    static List<RealSeries> euStocks() {
        List<String[]> rows = TestData.csv("/data/eustockmarkets_daily.csv");
        String[] names = {"DAX", "SMI", "CAC", "FTSE"};
        List<RealSeries> out = new ArrayList<>();
        for (int k = 0; k < names.length; k++) {
            int n = rows.size();
            String[] dates = new String[n];
            long[] ts = new long[n];
            double[] c = new double[n];
            for (int i = 0; i < n; i++) {
                dates[i] = rows.get(i)[2];
                ts[i] = Long.parseLong(rows.get(i)[0]) * DAY_MICROS;
                c[i] = Double.parseDouble(rows.get(i)[3 + k]);
            }
            out.add(new RealSeries(names[k], dates, ts, c));
        }
        return out;
    }

    /** Half-hourly electricity demand of England and Wales, 12 summer weeks of 2000. */
    static RealSeries taylor() {
        List<String[]> rows = TestData.csv("/data/taylor_electricity_halfhourly.csv");
        int n = rows.size();
        String[] dates = new String[n];
        long[] ts = new long[n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            dates[i] = rows.get(i)[0];
            ts[i] = LocalDateTime.parse(dates[i]).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
            c[i] = Double.parseDouble(rows.get(i)[1]);
        }
        return new RealSeries("electricity", dates, ts, c);
    }

    /**
     * The same series made stationary: its log returns cut into blocks of {@code block} and put in a random order,
     * then compounded from the first close. The returns' distribution and their dependence within a block
     * (volatility clusters, the daily cycle of demand) stay; any lasting change of regime is spread evenly.
     */
    RealSeries blockShuffled(int block, long seed) {
        int returns = close.length - 1;
        int blocks = returns / block;
        int[] order = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = blocks - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int n = blocks * block + 1;
        double[] c = new double[n];
        c[0] = close[0];
        int at = 1;
        for (int b : order) {
            for (int i = 0; i < block; i++) {
                int r = b * block + i + 1;
                c[at] = c[at - 1] * (close[r] / close[r - 1]);
                at++;
            }
        }
        String[] d = new String[n];
        long[] t = new long[n];
        System.arraycopy(dates, 0, d, 0, n);
        System.arraycopy(ts, 0, t, 0, n);
        return new RealSeries(name + " shuffled", d, t, c);
    }

    /** The first row index whose date is on or after {@code date} (ISO, compared as text). */
    int indexOf(String date) {
        for (int i = 0; i < dates.length; i++) {
            if (dates[i].compareTo(date) >= 0) {
                return i;
            }
        }
        throw new IllegalArgumentException(name + " has no row on or after " + date);
    }

    /** Default features of every observation, by column: {@code [feature][observation]}; NaN before warm-up. */
    Features features() {
        FeaturePipeline p = new FeaturePipeline(FeatureConfig.defaults());
        int width = p.size();
        double[][] cols = new double[width][close.length];
        double[] row = new double[width];
        for (int i = 0; i < close.length; i++) {
            p.update(ts[i], Double.NaN, Double.NaN, Double.NaN, close[i], Double.NaN, row, 0);
            for (int f = 0; f < width; f++) {
                cols[f][i] = p.warm() ? row[f] : Double.NaN;
            }
        }
        return new Features(p.schema().names(), cols, p.warmUpObservations());
    }

    record Features(List<String> names, double[][] columns, int warmUp) {

        /** Columns of rows [from, to), each feature then the extra quantity if any. */
        double[][] window(int from, int to) {
            double[][] out = new double[columns.length][];
            for (int f = 0; f < columns.length; f++) {
                out[f] = java.util.Arrays.copyOfRange(columns[f], from, to);
            }
            return out;
        }
    }
}
