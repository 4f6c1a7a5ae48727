package dev.arbiter.optimizer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** PromoteParameters: how far one step moves decision-service's live parameters, and the guard ({@code arbiter.optimizer.promotion.*}). */
@ConfigMapping(prefix = "arbiter.optimizer.promotion")
public interface PromotionConfig {

    /** Smoothing factor α of a request that sends smoothing_factor 0: each step moves this share of the gap. */
    @WithDefault("0.3")
    double defaultSmoothingFactor();

    /** Largest smoothing factor a request may send; above it is INVALID_ARGUMENT. */
    @WithDefault("1.0")
    double maxSmoothingFactor();

    /** Largest change of one parameter in one step, as a fraction of its range (engine PolicyParameter max − min). */
    @WithDefault("0.1")
    double maxStepFraction();

    /** A value within this fraction of its parameter's range of the target is set to the target. */
    @WithDefault("0.001")
    double snapTolerance();

    /** Time between background steps of a promotion with continue_until_reached. */
    @WithDefault("5m")
    Duration stepInterval();

    /** Deadline of each call to decision-service (gRPC client "decisions", {@code quarkus.grpc.clients.decisions.*}). */
    @WithDefault("5s")
    Duration decisionServiceDeadline();

    /** The guard of a background promotion: when live performance fell, stop and roll back. */
    Guard guard();

    interface Guard {

        /** Which live metric the guard watches: precision or pnl (PerformanceMetrics of the "live" variant). */
        @WithDefault("precision")
        Metric metric();

        /** Roll back when the metric is below its value at the start of the promotion by more than this. */
        @WithDefault("0.05")
        double margin();

        /**
         * Decisions with an outcome that decision-service's performance window must hold for the guard to judge; a
         * promotion whose starting window holds fewer runs without the guard.
         */
        @WithDefault("50")
        long minSettled();
    }

    /** A metric the guard can watch. */
    enum Metric {
        PRECISION,
        PNL
    }
}
