package dev.arbiter.model.drift;

import dev.arbiter.model.config.DriftConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** A {@link DriftConfig} built by hand for plain unit tests; periodic evaluation off. */
record TestDriftConfig(
        int referenceSize,
        int recentSize,
        int minSamples,
        double falseDiscoveryRate,
        Duration evaluationInterval,
        Optional<URI> webhookUrl,
        Duration webhookTimeout,
        Duration alertCooldown) implements DriftConfig {

    /** The given windows, false discovery rate 0.01, no webhook, 5 s timeout, 15 minutes cooldown. */
    static TestDriftConfig windows(int reference, int recent, int min) {
        return new TestDriftConfig(reference, recent, min, 0.01, Duration.ZERO, Optional.empty(),
                Duration.ofSeconds(5), Duration.ofMinutes(15));
    }

    /** Windows of 300, at least 100 samples each. */
    static TestDriftConfig defaults() {
        return windows(300, 300, 100);
    }

    TestDriftConfig withWebhook(URI url) {
        return new TestDriftConfig(referenceSize, recentSize, minSamples, falseDiscoveryRate, evaluationInterval,
                Optional.of(url), webhookTimeout, alertCooldown);
    }
}
