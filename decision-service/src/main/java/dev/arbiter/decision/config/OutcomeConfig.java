package dev.arbiter.decision.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Outcome joining, forwarding to model-service and performance ({@code arbiter.decision.outcomes.*}). */
@ConfigMapping(prefix = "arbiter.decision.outcomes")
public interface OutcomeConfig {

    /** An outcome realised later than this after its decision was made is LATE: stored, not counted. */
    @WithDefault("7d")
    Duration joinWindow();

    /** Deadline of one ReportPredictionOutcome call to model-service. */
    @WithDefault("2s")
    Duration modelDeadline();

    /** How often outcomes that could not be forwarded to model-service are retried. */
    @WithDefault("10s")
    Duration weightsRetryInterval();

    /**
     * How long forwarding an outcome to model-service is retried before it is dropped with a log line. Keep it
     * below model-service's prediction TTL (arbiter.models.prediction-ttl, 2 days), after which it cannot apply.
     */
    @WithDefault("1d")
    Duration weightsRetryFor();

    /** GetPerformance without a range covers this much observation time, up to the latest decision. */
    @WithDefault("7d")
    Duration performanceWindow();
}
