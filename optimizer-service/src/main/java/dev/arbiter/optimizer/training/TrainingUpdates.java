package dev.arbiter.optimizer.training;

import dev.arbiter.proto.v1.TrainingProgress;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.service.RequestRefused;

/**
 * Where a training job's updates go while its caller listens: progress several times, then exactly one of
 * {@link #result} or {@link #refused}. Calls come from the job's worker thread; an implementation whose caller has
 * gone away ignores them (the job goes on and is stored either way).
 */
public interface TrainingUpdates {

    /** Updates nobody listens to. */
    TrainingUpdates NONE = new TrainingUpdates() {
        @Override
        public void progress(TrainingProgress progress) {
        }

        @Override
        public void result(TrainingResult result) {
        }

        @Override
        public void refused(RequestRefused refusal) {
        }
    };

    /** The job moved on. */
    void progress(TrainingProgress progress);

    /** The job ended: SUCCEEDED, FAILED or CANCELLED. */
    void result(TrainingResult result);

    /** The request could not be trained on its data (e.g. a horizon longer than the series); the job is FAILED. */
    void refused(RequestRefused refusal);
}
