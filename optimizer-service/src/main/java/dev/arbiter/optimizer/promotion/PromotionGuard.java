package dev.arbiter.optimizer.promotion;

import dev.arbiter.optimizer.config.PromotionConfig;
import dev.arbiter.proto.v1.PerformanceMetrics;
import java.util.Locale;
import java.util.Optional;

/**
 * The rule that stops a background promotion: the live variant's metric (precision or pnl over decision-service's
 * rolling performance window) below its value when the promotion began by more than the margin, judged only on a
 * window with at least min-settled decisions that have an outcome. Off when the starting window has fewer.
 */
public record PromotionGuard(PromotionConfig.Metric metric, double margin, long minSettled, double baseline,
                             long baselineSettled) {

    /** The guard of a promotion starting now, with the live performance read now as its baseline. */
    public static PromotionGuard start(PromotionConfig.Guard config, PerformanceMetrics atStart) {
        return new PromotionGuard(config.metric(), config.margin(), config.minSettled(), value(config.metric(), atStart),
                atStart.getOutcomeCount());
    }

    /** False when the baseline has too few settled decisions to compare with. */
    public boolean active() {
        return baselineSettled >= Math.max(1, minSettled);
    }

    /** Why the promotion must stop and roll back, given the live performance now; empty while it may go on. */
    public Optional<String> breach(PerformanceMetrics now) {
        if (!active() || now.getOutcomeCount() < Math.max(1, minSettled)) {
            return Optional.empty();
        }
        double v = value(metric, now);
        if (v < baseline - margin) {
            return Optional.of(String.format(Locale.ROOT, "live %s %.4f over %d settled decisions is below %.4f, the %.4f"
                    + " when the promotion began minus the margin %.4f", name(), v, now.getOutcomeCount(),
                    baseline - margin, baseline, margin));
        }
        return Optional.empty();
    }

    /** The rule with its numbers, or why the guard is off, for the response and the log. */
    public String describe() {
        if (!active()) {
            return String.format(Locale.ROOT, "off: decision-service's performance window held %d settled decisions when"
                    + " the promotion began, fewer than min-settled %d", baselineSettled, Math.max(1, minSettled));
        }
        return String.format(Locale.ROOT, "stop and roll back when live %s < %.4f (%.4f at the start - margin %.4f) over"
                + " at least %d settled decisions", name(), baseline - margin, baseline, margin, Math.max(1, minSettled));
    }

    private String name() {
        return metric.name().toLowerCase(Locale.ROOT);
    }

    private static double value(PromotionConfig.Metric metric, PerformanceMetrics m) {
        return switch (metric) {
            case PRECISION -> m.getPrecision();
            case PNL -> m.getPnl();
        };
    }
}
