package dev.arbiter.optimizer.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.features.FeatureBatch;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.optimizer.dataset.LabelDefinition.ForwardReturnSign;
import dev.arbiter.optimizer.dataset.LabelDefinition.ThresholdEvent;
import dev.arbiter.optimizer.dataset.LabelDefinition.TieRule;
import dev.arbiter.optimizer.history.SeriesHistory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DatasetTest {

    private static final FeatureConfig CONFIG = FeatureConfig.defaults();
    /** Demand exceeds the trailing week's 90th percentile within the next two hours. */
    private static final ThresholdEvent PEAK = new ThresholdEvent(4, 336, 90, true);
    private static final ForwardReturnSign NEXT_DAY = new ForwardReturnSign(1, TieRule.DROP, 0.0);

    @Test
    void rowsAreTheWarmLabelledObservationsWithTheEnginesFeatures() {
        SeriesHistory msft = TestSeries.msft();
        Dataset d = Dataset.build(msft, CONFIG, NEXT_DAY);
        FeaturePipeline pipeline = new FeaturePipeline(CONFIG);
        double[] engine = FeatureBatch.compute(CONFIG, msft.tsMicros(), msft.open(), msft.high(), msft.low(),
                msft.value(), msft.volume());
        int cols = pipeline.size();
        assertEquals(pipeline.schema().names(), d.featureNames());
        assertEquals(pipeline.schema().id(), d.featureSchemaId());
        assertEquals(cols, d.cols());

        int firstWarm = pipeline.warmUpObservations() - 1;
        assertEquals(firstWarm, d.observationIndexes()[0], "the first row is the first warm observation");
        // The pipeline says it is warm exactly after absorbing that observation.
        FeaturePipeline replay = new FeaturePipeline(CONFIG);
        double[] out = new double[cols];
        for (int i = 0; i <= firstWarm; i++) {
            assertEquals(false, replay.warm(), "not warm before observation " + i);
            replay.update(msft.tsMicros()[i], msft.open()[i], msft.high()[i], msft.low()[i], msft.value()[i],
                    msft.volume()[i], out, 0);
        }
        assertTrue(replay.warm());

        Dataset.Counts c = d.counts();
        assertEquals(msft.size(), c.observations());
        assertEquals(firstWarm, c.unwarm());
        assertEquals(1, c.beyondEnd());
        assertEquals(msft.size(), c.unwarm() + c.beyondEnd() + c.tiesDropped() + c.beforeWindow() + d.rows());
        for (int r = 0; r < d.rows(); r++) {
            int i = d.observationIndexes()[r];
            assertArrayEquals(Arrays.copyOfRange(engine, i * cols, (i + 1) * cols),
                    Arrays.copyOfRange(d.x(), r * cols, (r + 1) * cols));
            assertEquals(msft.tsMicros()[i], d.tsMicros()[r]);
            assertEquals(msft.value()[i + 1] / msft.value()[i] - 1, d.forwardReturns()[r]);
            assertEquals(msft.value()[i + 1] > msft.value()[i] ? 1 : 0, d.labels()[r]);
            for (int j = 0; j < cols; j++) {
                assertTrue(Double.isFinite(d.x()[r * cols + j]), "warm features are finite");
            }
        }
    }

    @Test
    void noFeatureOrLabelOfARowChangesWhenOnlyDataAfterItsLabelWindowChanges() {
        for (LabelDefinition label : List.of(PEAK, new ForwardReturnSign(4, TieRule.NEGATIVE, 0.0),
                new ThresholdEvent(6, 48, 10, false))) {
            for (int k : new int[] {400, 1500, 3000}) {
                assertNoLookAhead(TestSeries.electricity(), label, k);
            }
        }
        for (int k : new int[] {80, 150, 240}) {
            assertNoLookAhead(TestSeries.msft(), NEXT_DAY, k);
            assertNoLookAhead(TestSeries.msft(), new ThresholdEvent(3, 20, 80, true), k);
        }
    }

    /** Changes every value, OHLC and volume after index k (and moves later timestamps), then compares row by row. */
    private static void assertNoLookAhead(SeriesHistory h, LabelDefinition label, int k) {
        Random random = new Random(31L * k + label.horizon());
        int n = h.size();
        long[] ts = h.tsMicros().clone();
        double[] value = h.value().clone();
        double[] open = h.open().clone();
        double[] high = h.high().clone();
        double[] low = h.low().clone();
        double[] volume = h.volume().clone();
        for (int i = k + 1; i < n; i++) {
            double factor = Math.exp(0.2 * random.nextGaussian());
            value[i] *= factor;
            open[i] *= factor;
            high[i] *= factor;
            low[i] *= factor;
            volume[i] *= 1 + random.nextDouble();
            ts[i] += 1_000_000L; // one second later: still increasing, other time features
        }
        SeriesHistory changed = new SeriesHistory(h.seriesId(), ts, value, open, high, low, volume);
        Dataset before = Dataset.build(h, CONFIG, label);
        Dataset after = Dataset.build(changed, CONFIG, label);
        Map<Integer, Integer> afterRow = new HashMap<>();
        for (int r = 0; r < after.rows(); r++) {
            afterRow.put(after.observationIndexes()[r], r);
        }
        int compared = 0;
        int changedLater = 0;
        int cols = before.cols();
        for (int r = 0; r < before.rows(); r++) {
            int i = before.observationIndexes()[r];
            Integer a = afterRow.get(i);
            if (i + label.horizon() <= k) {
                String where = label + " k=" + k + " observation " + i;
                assertTrue(a != null, where + " lost its row");
                for (int j = 0; j < cols; j++) {
                    assertEquals(Double.doubleToRawLongBits(before.x()[r * cols + j]),
                            Double.doubleToRawLongBits(after.x()[a * cols + j]), where + " feature " + j);
                }
                assertEquals(before.labels()[r], after.labels()[a], where + " label");
                assertEquals(Double.doubleToRawLongBits(before.forwardReturns()[r]),
                        Double.doubleToRawLongBits(after.forwardReturns()[a]), where + " forward return");
                assertEquals(before.tsMicros()[r], after.tsMicros()[a]);
                compared++;
            } else if (i > k && a != null && before.x()[r * cols] != after.x()[a * cols]) {
                changedLater++;
            }
        }
        for (int r = 0; r < after.rows(); r++) {
            int i = after.observationIndexes()[r];
            if (i + label.horizon() <= k) {
                compared--;
            }
        }
        assertEquals(0, compared, "the same rows end their label window at or before k in both");
        assertTrue(changedLater > 0, "the change after k did reach later rows (the test changes something)");
    }

    @Test
    void theTimeSplitHoldsOutTheLatestRowsWithAnEmbargoOfTheHorizon() {
        Dataset d = Dataset.build(TestSeries.electricity(), CONFIG, PEAK);
        TimeSplit split = TimeSplit.latest(d, 0.2);
        assertEquals(Math.round(0.2 * d.rows()), split.validation().rows());
        assertEquals(PEAK.horizon(), split.embargoed(), "exactly the horizon's rows are embargoed");
        assertEquals(d.rows(), split.train().rows() + split.validation().rows() + split.embargoed());
        int firstValidation = split.validation().observationIndexes()[0];
        long lastTrainTs = 0;
        for (int r = 0; r < split.train().rows(); r++) {
            assertTrue(split.train().observationIndexes()[r] + PEAK.horizon() < firstValidation,
                    "a training label window ends before the first validation observation");
            lastTrainTs = Math.max(lastTrainTs, split.train().tsMicros()[r]);
        }
        assertTrue(lastTrainTs < split.cutoffTsMicros());
        for (int r = 0; r < split.validation().rows(); r++) {
            assertTrue(split.validation().tsMicros()[r] >= split.cutoffTsMicros());
        }
        assertThrows(IllegalArgumentException.class, () -> TimeSplit.latest(d, 0));
        assertThrows(IllegalArgumentException.class, () -> TimeSplit.latest(d, 1));
    }

    @Test
    void twoSeriesSplitAtOneTimeAndEachIsEmbargoedOnItsOwn() {
        SeriesHistory a = TestSeries.electricity();
        SeriesHistory b = TestSeries.head(TestSeries.electricity(), 3000); // ends earlier: more of it trains
        SeriesHistory renamed = new SeriesHistory("electricity-head", b.tsMicros(), b.value(), b.open(), b.high(),
                b.low(), b.volume());
        Dataset both = Dataset.concat(List.of(Dataset.build(a, CONFIG, PEAK), Dataset.build(renamed, CONFIG, PEAK)));
        assertEquals(List.of("electricity", "electricity-head"), both.seriesIds());
        TimeSplit split = TimeSplit.latest(both, 0.25);
        for (int r = 0; r < split.validation().rows(); r++) {
            assertTrue(split.validation().tsMicros()[r] >= split.cutoffTsMicros());
        }
        for (int r = 0; r < split.train().rows(); r++) {
            assertTrue(split.train().tsMicros()[r] < split.cutoffTsMicros());
        }
    }
}
