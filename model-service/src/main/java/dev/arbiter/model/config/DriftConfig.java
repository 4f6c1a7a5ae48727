package dev.arbiter.model.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Input and score drift detection ({@code arbiter.models.drift.*}); see {@code dev.arbiter.model.drift.DriftMonitor}. */
@ConfigMapping(prefix = "arbiter.models.drift")
public interface DriftConfig {

    /**
     * Predictions in the reference window: the first ones after activation or a refresh, shared by every replica
     * through PostgreSQL, then frozen.
     */
    @WithDefault("500")
    int referenceSize();

    /**
     * Predictions in each replica's recent window: the latest ones after the reference. Shorter reacts sooner: on daily
     * market data a window of 100 found the 1997 change in 8 to 42 days, one of 500 averages two years.
     */
    @WithDefault("500")
    int recentSize();

    /** Fewest values per window (and per feature, counting finite values only) before a test runs; at least 2. */
    @WithDefault("100")
    int minSamples();

    /**
     * Benjamini–Hochberg false discovery rate: a feature or the score drifted when its adjusted p-value is below it.
     * At 0.01, 0 of 468 evaluations alarmed on stationary versions of the real series (model-service/README.md).
     */
    @WithDefault("0.01")
    double falseDiscoveryRate();

    /** How often every monitored version is tested, gauges updated and alerts sent; 0 turns periodic evaluation off. */
    @WithDefault("30s")
    Duration evaluationInterval();

    /**
     * Least time between two alerts for one model version, across replicas; an alert is sent when the version goes from
     * not drifted to drifted, by the one replica that claims it in PostgreSQL.
     */
    @WithDefault("15m")
    Duration alertCooldown();
}
