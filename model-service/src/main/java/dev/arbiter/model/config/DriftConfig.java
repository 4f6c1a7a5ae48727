package dev.arbiter.model.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Input and score drift detection ({@code arbiter.models.drift.*}); see {@code dev.arbiter.model.drift.DriftMonitor}. */
@ConfigMapping(prefix = "arbiter.models.drift")
public interface DriftConfig {

    /** Predictions in the reference window: the first ones a version makes (or makes after a reset), then frozen. */
    @WithDefault("500")
    int referenceSize();

    /** Predictions in the recent window: the latest ones after the reference window is full. */
    @WithDefault("500")
    int recentSize();

    /** Fewest values per window (and per feature, counting finite values only) before a test runs; at least 2. */
    @WithDefault("100")
    int minSamples();

    /** Significance level: a feature or the score drifted when its KS or Mann-Whitney p-value is below it. */
    @WithDefault("0.01")
    double pValueThreshold();

    /** How often every monitored version is tested, gauges updated and alerts sent; 0 turns periodic evaluation off. */
    @WithDefault("30s")
    Duration evaluationInterval();

    /** Slack-compatible incoming webhook that receives drift alerts; absent means no alerts. Never logged. */
    Optional<URI> webhookUrl();

    /** Connect and response timeout of one webhook call. */
    @WithDefault("5s")
    Duration webhookTimeout();

    /** Least time between two alerts for one model version; an alert is sent only when it goes from not drifted to drifted. */
    @WithDefault("15m")
    Duration alertCooldown();
}
