package dev.arbiter.decision.testing;

import dev.arbiter.proto.v1.Observation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Daily Microsoft OHLCV (test resource data/msft_ohlcv_daily.csv, attribution in data/README.md) as observations. */
public final class Msft {

    private static List<Row> rows;

    /** One trading day. */
    public record Row(long tsMicros, double open, double high, double low, double close, double volume) {

        public Observation observation(String seriesId) {
            return Observation.newBuilder().setSeriesId(seriesId).setTsMicros(tsMicros).setValue(close)
                    .setOpen(open).setHigh(high).setLow(low).setVolume(volume).build();
        }
    }

    private Msft() {}

    public static synchronized List<Row> rows() {
        if (rows == null) {
            List<Row> r = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    Objects.requireNonNull(Msft.class.getResourceAsStream("/data/msft_ohlcv_daily.csv")), StandardCharsets.UTF_8))) {
                in.readLine();
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] f = line.split(",");
                    long ts = LocalDate.parse(f[0]).atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
                    r.add(new Row(ts, Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                            Double.parseDouble(f[4]), Double.parseDouble(f[5])));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            rows = List.copyOf(r);
        }
        return rows;
    }

    /** The observations of the first {@code n} days for {@code seriesId}. */
    public static List<Observation> observations(String seriesId, int n) {
        return rows().subList(0, n).stream().map(r -> r.observation(seriesId)).toList();
    }
}
