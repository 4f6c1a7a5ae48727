package dev.arbiter.model.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Registry, serving and ensemble settings ({@code arbiter.models.*}); drift has its own {@link DriftConfig}. */
@ConfigMapping(prefix = "arbiter.models")
public interface ModelServiceConfig {

    /** Largest accepted model artifact, in bytes. */
    @WithDefault("67108864")
    long maxArtifactBytes();

    /** Largest accepted upload chunk, in bytes. */
    @WithDefault("1048576")
    int maxChunkBytes();

    /** Ensemble used by Predict when the request names no target. */
    @WithDefault("default")
    String defaultEnsemble();

    /** Most rows in one PredictBatch. */
    @WithDefault("10000")
    int maxBatchRows();

    /** Half-life, in outcomes, of an ensemble whose definition leaves it 0. */
    @WithDefault("50")
    double defaultHalfLifeOutcomes();

    /** How long an ensemble's weight snapshots stay available for replay after its last outcome. */
    @WithDefault("7d")
    Duration weightSnapshotTtl();

    /**
     * Weight snapshots kept per ensemble for replay: those of the latest this many outcomes (each is the members'
     * scores, about 100 bytes a member). Older ones are removed as outcomes come, so the keys do not grow with them.
     */
    @WithDefault("100000")
    int weightSnapshots();

    /** How long a prediction can still receive its outcome by prediction or decision id. */
    @WithDefault("2d")
    Duration predictionTtl();

    /** Redis key prefix for weights, predictions and change notifications. */
    @WithDefault("arbiter:models:")
    String redisPrefix();

    /**
     * How often each replica compares its cached ensembles and weights with PostgreSQL and Redis, so that a missed
     * change notification is repaired within this time; 0 turns it off.
     */
    @WithDefault("10s")
    Duration reconcileInterval();
}
