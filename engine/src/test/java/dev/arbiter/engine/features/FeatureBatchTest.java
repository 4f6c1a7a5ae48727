package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The batch API is the streaming code over arrays: identical doubles, bit for bit. */
class FeatureBatchTest {

    @Test
    void batchEqualsStreamingBitForBitOnSyntheticSeries() {
        assertBatchEqualsStreaming(FeatureConfig.defaults(), TestSeries.synthetic(7, 20_000));
    }

    @Test
    void batchEqualsStreamingBitForBitOnRealSeries() {
        assertBatchEqualsStreaming(FeatureConfig.defaults(), TestSeries.msft());
        assertBatchEqualsStreaming(FeatureConfig.defaults(), TestSeries.daxCloses());
        FeatureConfig other = FeatureConfig.builder().smaWindows(3, 200).emaWindows(7).volatilityWindows(5, 100)
                .atrWindow(5).momentumWindow(3).momentsWindow(20).regimeWindow(30).volClusterShortWindow(5)
                .volClusterLongWindow(100).utcOffsetMinutes(-300).build();
        assertBatchEqualsStreaming(other, TestSeries.bmwPrice());
    }

    @Test
    void nullColumnsMeanAbsent() {
        TestSeries s = TestSeries.synthetic(11, 500);
        double[] nans = new double[s.size()];
        java.util.Arrays.fill(nans, Double.NaN);
        double[] withNulls = FeatureBatch.compute(FeatureConfig.defaults(), s.ts, null, null, null, s.close, null);
        double[] withNaNs = FeatureBatch.compute(FeatureConfig.defaults(), s.ts, nans, nans, nans, s.close, nans);
        assertBitsEqual(withNaNs, withNulls, 0, withNaNs.length);
    }

    @Test
    void mismatchedLengthsNameTheColumn() {
        TestSeries s = TestSeries.synthetic(3, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureBatch.compute(
                FeatureConfig.defaults(), s.ts, null, new double[9], null, s.close, null));
        assertTrue(e.getMessage().startsWith("high has 9 values but close has 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureBatch.compute(
                FeatureConfig.defaults(), new long[3], null, null, null, s.close, null));
        assertTrue(e.getMessage().startsWith("tsMicros has 3 values"), e.getMessage());
    }

    @Test
    void emptySeriesGivesNoRows() {
        assertEquals(0, FeatureBatch.compute(FeatureConfig.defaults(), new long[0], null, null, null,
                new double[0], null).length);
    }

    private static void assertBatchEqualsStreaming(FeatureConfig config, TestSeries s) {
        double[] batch = FeatureBatch.compute(config, s.ts, s.open, s.high, s.low, s.close, s.volume);
        FeaturePipeline p = new FeaturePipeline(config);
        int size = p.size();
        assertEquals(s.size() * size, batch.length);
        double[] row = new double[size + 3];
        for (int i = 0; i < s.size(); i++) {
            p.update(s.ts[i], TestSeries.at(s.open, i), TestSeries.at(s.high, i), TestSeries.at(s.low, i), s.close[i],
                    TestSeries.at(s.volume, i), row, 3);
            for (int f = 0; f < size; f++) {
                if (Double.doubleToRawLongBits(row[3 + f]) != Double.doubleToRawLongBits(batch[i * size + f])) {
                    throw new AssertionError(s.name + ": " + p.schema().names().get(f) + " at observation " + i
                            + " is " + row[3 + f] + " streaming but " + batch[i * size + f] + " in batch");
                }
            }
        }
    }

    static void assertBitsEqual(double[] expected, double[] actual, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                throw new AssertionError("differs at " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}
