package dev.arbiter.optimizer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Retraining ({@code arbiter.optimizer.retraining.*}): what the cron and the drift trigger retrain, and how a registered
 * challenger ramps into its ensemble. The cron itself is {@code arbiter.optimizer.retraining.cron} (a Quartz-style
 * expression with seconds, e.g. {@code 0 0 3 * * ?} for 03:00 daily; {@code off}, the default, = no schedule) and the
 * drift poll {@code arbiter.optimizer.retraining.drift-poll} (e.g. {@code 5m}; {@code off} = no drift trigger), both read
 * by {@code RetrainingTriggers}' {@code @Scheduled} methods.
 */
@ConfigMapping(prefix = "arbiter.optimizer.retraining")
public interface RetrainingConfig {

    /** The cron of scheduled retraining; {@code off} = none. */
    @WithDefault("off")
    String cron();

    /** How often model-service's drift status is read for the drift trigger; {@code off} = never. */
    @WithDefault("5m")
    String driftPoll();

    /**
     * The ensembles whose member models the cron and the drift trigger retrain (each member version that is its
     * model's champion); none = the triggers retrain nothing (Retrain still works).
     */
    Optional<List<String>> ensembles();

    /** The challenger's cap at each ramp step before it replaces the champion, increasing, each in (0, 1). */
    @WithDefault("0.1,0.25,0.5")
    List<Double> rampSteps();

    /** Time between ramp steps. */
    @WithDefault("1h")
    Duration rampInterval();

    /** The guard judges once the challenger has this many outcomes; before, the ramp goes on. */
    @WithDefault("50")
    long guardMinOutcomes();

    /** Roll back when the challenger's score is below the champion's by more than this. */
    @WithDefault("0.05")
    double guardMargin();
}
