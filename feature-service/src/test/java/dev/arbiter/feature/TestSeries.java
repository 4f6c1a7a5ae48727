package dev.arbiter.feature;

import dev.arbiter.proto.v1.IngestRequest;
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

/** The shipped MSFT daily OHLCV series (see src/test/resources/data/README.md), as arrays and as requests. */
public record TestSeries(long[] ts, double[] open, double[] high, double[] low, double[] close, double[] volume) {

    public static TestSeries msft() {
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                TestSeries.class.getResourceAsStream("/data/msft_ohlcv_daily.csv"), StandardCharsets.UTF_8))) {
            in.readLine();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    rows.add(line.split(","));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = rows.size();
        TestSeries s = new TestSeries(new long[n], new double[n], new double[n], new double[n], new double[n], new double[n]);
        for (int i = 0; i < n; i++) {
            String[] r = rows.get(i);
            // Daily closes stamped at 21:00 UTC (16:00 in New York).
            s.ts[i] = LocalDate.parse(r[0]).atTime(21, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
            s.open[i] = Double.parseDouble(r[1]);
            s.high[i] = Double.parseDouble(r[2]);
            s.low[i] = Double.parseDouble(r[3]);
            s.close[i] = Double.parseDouble(r[4]);
            s.volume[i] = Double.parseDouble(r[5]);
        }
        return s;
    }

    public int size() {
        return ts.length;
    }

    public Observation observation(String seriesId, int i) {
        return Observation.newBuilder()
                .setSeriesId(seriesId)
                .setTsMicros(ts[i])
                .setValue(close[i])
                .setOpen(open[i])
                .setHigh(high[i])
                .setLow(low[i])
                .setVolume(volume[i])
                .build();
    }

    public IngestRequest request(String seriesId, int i) {
        return IngestRequest.newBuilder().setObservation(observation(seriesId, i)).build();
    }

    public List<IngestRequest> requests(String seriesId, int from, int to) {
        List<IngestRequest> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(request(seriesId, i));
        }
        return out;
    }
}
