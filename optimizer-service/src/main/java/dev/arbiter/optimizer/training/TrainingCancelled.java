package dev.arbiter.optimizer.training;

/** Thrown by a trainer that saw {@link ProgressListener#cancelled()}; nothing it built is kept. */
public class TrainingCancelled extends RuntimeException {

    public TrainingCancelled() {
        super("training was cancelled", null, false, false);
    }
}
