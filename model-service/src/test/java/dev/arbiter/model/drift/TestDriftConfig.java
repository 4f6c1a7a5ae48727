package dev.arbiter.model.drift;

import dev.arbiter.model.config.DriftConfig;
import java.time.Duration;

/** A {@link DriftConfig} built by hand for plain unit tests; periodic evaluation off. */
record TestDriftConfig(
        int referenceSize,
        int recentSize,
        int minSamples,
        double falseDiscoveryRate,
        Duration evaluationInterval,
        Duration alertCooldown) implements DriftConfig {

    /** The given windows, false discovery rate 0.01, 15 minutes cooldown. */
    static TestDriftConfig windows(int reference, int recent, int min) {
        return new TestDriftConfig(reference, recent, min, 0.01, Duration.ZERO, Duration.ofMinutes(15));
    }

    /** Windows of 300, at least 100 samples each. */
    static TestDriftConfig defaults() {
        return windows(300, 300, 100);
    }
}
