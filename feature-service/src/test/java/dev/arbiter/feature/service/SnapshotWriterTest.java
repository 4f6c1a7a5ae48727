package dev.arbiter.feature.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.feature.TestSeries;
import dev.arbiter.feature.store.RedisSnapshotStore;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What reaches Redis decodes into a series that continues exactly like the one in memory. */
@QuarkusTest
class SnapshotWriterTest {

    static final TestSeries MSFT = TestSeries.msft();

    @Inject
    FeatureStore store;

    @Inject
    SnapshotWriter writer;

    @Inject
    RedisSnapshotStore redis;

    private Observation observation(String id, int i) {
        return new Observation(id, MSFT.ts()[i], MSFT.open()[i], MSFT.high()[i], MSFT.low()[i], MSFT.close()[i], MSFT.volume()[i]);
    }

    @Test
    void flushedStateContinuesBitForBit() {
        String id = "snap-" + UUID.randomUUID();
        for (int i = 0; i < 100; i++) {
            store.ingest(observation(id, i));
        }
        writer.flush();
        assertTrue(store.drainDirty().isEmpty(), "a flush leaves nothing dirty");

        Map<String, byte[]> saved = redis.loadAll(store.schema().id());
        SeriesState restored = SeriesState.decode(id, store.featureConfig(), saved.get(id));
        double[] scratch = new double[store.schema().size()];
        for (int i = 100; i < MSFT.size(); i++) {
            FeatureSnapshot live = store.ingest(observation(id, i)).features();
            restored.accept(observation(id, i), scratch);
            assertArrayEquals(live.values(), restored.snapshot(store.schema().id()).values(), 0.0, "observation " + i);
        }
        assertTrue(restored.repeats(observation(id, MSFT.size() - 1)), "the last observation is remembered for idempotence");
        assertFalse(restored.repeats(observation(id, MSFT.size() - 2)));
        assertEquals(MSFT.size(), restored.pipeline.count());
    }
}
