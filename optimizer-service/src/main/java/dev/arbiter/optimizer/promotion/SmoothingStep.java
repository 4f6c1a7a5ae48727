package dev.arbiter.optimizer.promotion;

import dev.arbiter.engine.policy.PolicyParameter;

/**
 * One exponential-smoothing step of one policy parameter toward its target: {@code live + α × (target − live)},
 * the change capped at {@code maxStepFraction × (max − min)}, whole-number parameters rounded (and moved by at least
 * 1 while not at the target, or rounding would stall them), and the result set to the target once within
 * {@code snapTolerance × (max − min)} of it.
 */
public record SmoothingStep(double alpha, double maxStepFraction, double snapTolerance) {

    /** The next value of {@code p}, from {@code live} toward {@code target}. */
    public double next(PolicyParameter p, double live, double target) {
        double range = p.max() - p.min();
        double gap = target - live;
        double largest = maxStepFraction * range;
        double step = Math.max(-largest, Math.min(largest, alpha * gap));
        double next = live + step;
        if (p.integer()) {
            next = Math.rint(next);
            if (next == live && gap != 0) {
                next = live + Math.signum(gap);
            }
        }
        if (Math.abs(target - next) <= snapTolerance * range) {
            next = target;
        }
        return next;
    }

    /** |target − value| / max(|target|, 1e-12): the proto's remaining_gap of one parameter. */
    public static double relativeGap(double value, double target) {
        return Math.abs(target - value) / Math.max(Math.abs(target), 1e-12);
    }
}
