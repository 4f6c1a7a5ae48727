package dev.arbiter.optimizer.training;

/** What a trainer reports while it fits, and how a caller stops it. */
public interface ProgressListener {

    /** A listener that ignores progress and never cancels. */
    ProgressListener NONE = (iteration, total, trainLoss, validationLoss, message) -> { };

    /**
     * Called after some iterations (boosting rounds) and at the end of each step.
     *
     * @param iteration      iterations done
     * @param total          iterations planned; 0 when the kind has none
     * @param trainLoss      training log loss so far, NaN when not measured
     * @param validationLoss validation log loss so far, NaN when there is no validation set or it is not measured
     * @param message        one line for humans
     */
    void progress(int iteration, int total, double trainLoss, double validationLoss, String message);

    /** True when the caller wants training to stop; checked between iterations. */
    default boolean cancelled() {
        return false;
    }
}
