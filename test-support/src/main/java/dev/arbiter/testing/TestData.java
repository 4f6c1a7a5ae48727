package dev.arbiter.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The real series the tests share, read from the classpath: MSFT daily OHLCV ships in this jar
 * ({@code data/README.md} holds its origin and licence); a module's own series stay under its
 * {@code src/test/resources/data/} and are read with {@link #csv}. Each module wraps the columns in its own types
 * (feature-service's requests, decision-service's observations, optimizer-service's SeriesHistory).
 */
public final class TestData {

    private TestData() {}

    /** A series as columns; a column the series does not have holds NaN. */
    public record Columns(String name, long[] ts, double[] open, double[] high, double[] low, double[] close,
                          double[] volume) {

        public int size() {
            return ts.length;
        }

        /** The same series with every time moved by {@code micros} (a whole number of weeks keeps the weekdays). */
        public Columns shifted(long micros) {
            long[] moved = ts.clone();
            for (int i = 0; i < moved.length; i++) {
                moved[i] += micros;
            }
            return new Columns(name, moved, open, high, low, close, volume);
        }
    }

    /** Microsoft daily OHLCV, 249 rows, 2000-09-27 .. 2001-09-27, each date at 00:00 UTC. */
    public static Columns msft() {
        List<String[]> rows = csv("/data/msft_ohlcv_daily.csv");
        int n = rows.size();
        Columns c = new Columns("MSFT", new long[n], new double[n], new double[n], new double[n], new double[n], new double[n]);
        for (int i = 0; i < n; i++) {
            String[] r = rows.get(i);
            c.ts[i] = LocalDate.parse(r[0]).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L;
            c.open[i] = Double.parseDouble(r[1]);
            c.high[i] = Double.parseDouble(r[2]);
            c.low[i] = Double.parseDouble(r[3]);
            c.close[i] = Double.parseDouble(r[4]);
            c.volume[i] = Double.parseDouble(r[5]);
        }
        return c;
    }

    /** The rows of a CSV on the classpath ({@code /data/NAME.csv}), split on commas; the header and blank lines skipped. */
    public static List<String[]> csv(String resource) {
        InputStream found = TestData.class.getResourceAsStream(resource);
        if (found == null && Thread.currentThread().getContextClassLoader() != null) {
            // a module's own test resources, when a framework loads them apart from this jar
            found = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource.substring(1));
        }
        try (InputStream in = found) {
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
