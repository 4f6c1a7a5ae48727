package dev.arbiter.optimizer.dataset;

import dev.arbiter.optimizer.history.SeriesHistory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The real series in src/test/resources/data as SeriesHistory, read without the history store. */
public final class TestSeries {

    private TestSeries() {
    }

    /** Microsoft daily OHLCV, 249 rows (2000-09-27 .. 2001-09-27), dates at 00:00 UTC. */
    public static SeriesHistory msft() {
        List<String[]> rows = csv("/data/msft_ohlcv_daily.csv");
        int n = rows.size();
        long[] ts = new long[n];
        double[] open = new double[n];
        double[] high = new double[n];
        double[] low = new double[n];
        double[] close = new double[n];
        double[] volume = new double[n];
        for (int i = 0; i < n; i++) {
            String[] r = rows.get(i);
            ts[i] = LocalDate.parse(r[0]).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L;
            open[i] = Double.parseDouble(r[1]);
            high[i] = Double.parseDouble(r[2]);
            low[i] = Double.parseDouble(r[3]);
            close[i] = Double.parseDouble(r[4]);
            volume[i] = Double.parseDouble(r[5]);
        }
        return new SeriesHistory("msft", ts, close, open, high, low, volume);
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
        try (InputStream in = TestSeries.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String[]> rows = new ArrayList<>();
            reader.readLine(); // header
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    rows.add(line.split(","));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
