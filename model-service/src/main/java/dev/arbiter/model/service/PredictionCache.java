package dev.arbiter.model.service;

import dev.arbiter.model.config.ModelServiceConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded in-process cache of member probabilities keyed by version and the exact input row. It is
 * direct-mapped: a row hashes to one slot and a newer entry replaces an older one, so a lookup costs
 * one hash and one compare and needs no lock. (A Redis layer was measured and costs more than it
 * saves; see the module README.)
 */
@ApplicationScoped
public class PredictionCache {

    private record Entry(VersionKey key, double[] row, double probability) {}

    private final AtomicReferenceArray<Entry> slots;
    private final Counter hits;
    private final Counter misses;

    public PredictionCache(ModelServiceConfig config, MeterRegistry registry) {
        this.slots = config.cacheEntries() > 0 ? new AtomicReferenceArray<>(config.cacheEntries()) : null;
        this.hits = Counter.builder("arbiter.model.cache").tag("result", "hit").register(registry);
        this.misses = Counter.builder("arbiter.model.cache").tag("result", "miss").register(registry);
    }

    /** The cached probability, or NaN. */
    double get(VersionKey key, double[] row) {
        if (slots == null) {
            return Double.NaN;
        }
        Entry e = slots.get(slot(key, row));
        if (e != null && e.key.equals(key) && Arrays.equals(e.row, row)) {
            hits.increment();
            return e.probability;
        }
        misses.increment();
        return Double.NaN;
    }

    void put(VersionKey key, double[] row, double probability) {
        if (slots != null) {
            slots.set(slot(key, row), new Entry(key, row.clone(), probability));
        }
    }

    private int slot(VersionKey key, double[] row) {
        int h = key.hashCode() * 31 + Arrays.hashCode(row);
        h ^= h >>> 16;
        return Math.floorMod(h, slots.length());
    }
}
