package dev.arbiter.decision.testing;

import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.TestData;
import java.util.ArrayList;
import java.util.List;

/** Daily Microsoft OHLCV (test-support's TestData, attribution in its data/README.md) as observations. */
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
            TestData.Columns c = TestData.msft();
            List<Row> r = new ArrayList<>(c.size());
            for (int i = 0; i < c.size(); i++) {
                r.add(new Row(c.ts()[i], c.open()[i], c.high()[i], c.low()[i], c.close()[i], c.volume()[i]));
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
