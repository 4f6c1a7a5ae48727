package dev.arbiter.optimizer.dataset;

import dev.arbiter.optimizer.history.SeriesHistory;
import dev.arbiter.testing.TestData;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/** The real series in src/test/resources/data as SeriesHistory, read without the history store. */
public final class TestSeries {

    private TestSeries() {
    }

    /** Microsoft daily OHLCV, 249 rows (2000-09-27 .. 2001-09-27), dates at 00:00 UTC (test-support's TestData). */
    public static SeriesHistory msft() {
        TestData.Columns c = TestData.msft();
        return new SeriesHistory("msft", c.ts(), c.close(), c.open(), c.high(), c.low(), c.volume());
    }

    /** Half-hourly electricity demand of England and Wales in MW, 4032 rows, UK local times (BST) as UTC instants. */
    public static SeriesHistory electricity() {
        List<String[]> rows = csv("/data/taylor_electricity_halfhourly.csv");
        int n = rows.size();
        long[] ts = new long[n];
        double[] demand = new double[n];
        ZoneId london = ZoneId.of("Europe/London");
        for (int i = 0; i < n; i++) {
            String[] r = rows.get(i);
            ts[i] = LocalDateTime.parse(r[0]).atZone(london).toEpochSecond() * 1_000_000L;
            demand[i] = Double.parseDouble(r[1]);
        }
        return new SeriesHistory("electricity", ts, demand, nan(n), nan(n), nan(n), nan(n));
    }

    /** The first {@code n} observations. */
    public static SeriesHistory head(SeriesHistory h, int n) {
        return new SeriesHistory(h.seriesId(), Arrays.copyOf(h.tsMicros(), n), Arrays.copyOf(h.value(), n),
                Arrays.copyOf(h.open(), n), Arrays.copyOf(h.high(), n), Arrays.copyOf(h.low(), n),
                Arrays.copyOf(h.volume(), n));
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    private static List<String[]> csv(String resource) {
        return TestData.csv(resource);
    }
}
