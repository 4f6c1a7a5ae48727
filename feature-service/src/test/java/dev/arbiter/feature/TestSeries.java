package dev.arbiter.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.TestData;
import java.util.ArrayList;
import java.util.List;

/** test-support's MSFT daily OHLCV series (TestData), as arrays and as Ingest requests. */
public record TestSeries(long[] ts, double[] open, double[] high, double[] low, double[] close, double[] volume) {

    /** Daily closes stamped at 21:00 UTC (16:00 in New York). */
    public static TestSeries msft() {
        return of(TestData.msft().shifted(21 * 3_600_000_000L));
    }

    /** The same series with every time moved by {@code micros} (a whole number of weeks keeps the weekdays). */
    public TestSeries shifted(long micros) {
        return of(new TestData.Columns("MSFT", ts, open, high, low, close, volume).shifted(micros));
    }

    private static TestSeries of(TestData.Columns c) {
        return new TestSeries(c.ts(), c.open(), c.high(), c.low(), c.close(), c.volume());
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

    /** Feeds observation {@code i} to {@code p} (an uninterrupted run to compare a service with), its features into {@code out}. */
    public void feed(FeaturePipeline p, int i, double[] out) {
        p.update(ts[i], open[i], high[i], low[i], close[i], volume[i], out, 0);
    }

    /** Asserts that a service's features are {@code expected}, bit for bit. */
    public static void assertBitForBit(double[] expected, FeatureVector actual, String what) {
        assertEquals(expected.length, actual.getValuesCount(), what);
        for (int j = 0; j < expected.length; j++) {
            assertEquals(Double.doubleToLongBits(expected[j]), Double.doubleToLongBits(actual.getValues(j)), what + ", feature " + j);
        }
    }

    public List<IngestRequest> requests(String seriesId, int from, int to) {
        List<IngestRequest> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(request(seriesId, i));
        }
        return out;
    }
}
