package dev.arbiter.decision.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The durable decision log ({@code arbiter.decision.log.*}); the contract is in the module README. */
@ConfigMapping(prefix = "arbiter.decision.log")
public interface DecisionLogConfig {

    /** Most decisions committed in one transaction (or fsynced in one spool write). */
    @WithDefault("256")
    int batchSize();

    /** Decisions waiting for the writer before append blocks its caller (back-pressure). */
    @WithDefault("10000")
    int queueCapacity();

    /**
     * Directory of the local spool that takes decisions while PostgreSQL is unreachable. It must be on durable
     * storage (a persistent volume in Kubernetes) and belongs to one replica: a second process is refused.
     */
    @WithDefault("decision-spool")
    String spoolDir();

    /** While decisions are spooled, how often PostgreSQL is tried again. */
    @WithDefault("1s")
    Duration retryInterval();

    /** Spooled decisions moved into PostgreSQL per transaction while draining. */
    @WithDefault("1000")
    int drainBatchSize();

    /** Most spooled decisions kept in memory for GetDecision and duplicate detection while PostgreSQL is down. */
    @WithDefault("100000")
    int maxIndexedSpooled();

    /**
     * A spool that has not drained for this long raises an alert (a log line at ERROR and an alert through {@code arbiter.alerts.*}): either
     * PostgreSQL has been unreachable that long, or something keeps the spool from draining.
     */
    @WithDefault("2m")
    Duration spoolAlertAfter();

    /**
     * A spool that has not drained for this long makes the service unready, so traffic moves to replicas whose log
     * drains; 0 keeps it ready whatever the spool (it still reports the spool in its readiness data).
     */
    @WithDefault("15m")
    Duration spoolUnreadyAfter();
}
