package dev.arbiter.model.service;

import dev.arbiter.model.runtime.ModelRuntime;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A runtime in memory with a reference count: the serving table holds one reference and every
 * in-flight prediction holds one, so a version swapped out or retired is closed only after the last
 * request that started on it has finished.
 */
public final class LoadedModel {

    final VersionKey key;
    final ModelRuntime runtime;
    final List<String> inputNames;
    /** The feature schema the model was registered against: the only one whose FeatureVectors it reads. */
    final FeatureSchemas.Schema schema;
    /** Position of each model input in {@link #schema}; -(k + 1) for MetaGate.INPUTS[k]. */
    final int[] schemaIndex;
    private final AtomicInteger refs = new AtomicInteger(1);

    LoadedModel(VersionKey key, ModelRuntime runtime, List<String> inputNames, FeatureSchemas.Schema schema, int[] schemaIndex) {
        this.key = key;
        this.runtime = runtime;
        this.inputNames = inputNames;
        this.schema = schema;
        this.schemaIndex = schemaIndex;
    }

    /** Takes a reference; false when the model is already closed (the caller looks it up again). */
    boolean acquire() {
        for (int n = refs.get(); n > 0; n = refs.get()) {
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            runtime.close();
        }
    }

    boolean closed() {
        return refs.get() == 0;
    }

    public VersionKey key() {
        return key;
    }
}
