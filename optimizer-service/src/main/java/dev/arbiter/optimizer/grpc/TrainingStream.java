package dev.arbiter.optimizer.grpc;

import dev.arbiter.optimizer.training.TrainingUpdates;
import dev.arbiter.proto.v1.TrainingProgress;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.proto.v1.TrainingUpdate;
import dev.arbiter.service.RequestRefused;
import io.smallrye.mutiny.subscription.MultiEmitter;

/** A RunTraining response stream: progress messages, then the result (or the refusal's status). */
final class TrainingStream implements TrainingUpdates {

    private final MultiEmitter<? super TrainingUpdate> emitter;

    TrainingStream(MultiEmitter<? super TrainingUpdate> emitter) {
        this.emitter = emitter;
    }

    @Override
    public void progress(TrainingProgress progress) {
        if (!emitter.isCancelled()) {
            emitter.emit(TrainingUpdate.newBuilder().setProgress(progress).build());
        }
    }

    @Override
    public void result(TrainingResult result) {
        if (!emitter.isCancelled()) {
            emitter.emit(TrainingUpdate.newBuilder().setResult(result).build());
            emitter.complete();
        }
    }

    @Override
    public void refused(RequestRefused refusal) {
        if (!emitter.isCancelled()) {
            emitter.fail(refusal.asStatus());
        }
    }
}
