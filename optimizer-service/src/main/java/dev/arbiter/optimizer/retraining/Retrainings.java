package dev.arbiter.optimizer.retraining;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;
import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.optimizer.client.ModelRegistryClient;
import dev.arbiter.optimizer.client.ModelServiceFailure;
import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.optimizer.repository.TrainingJobRepository;
import dev.arbiter.optimizer.training.ModelSettings;
import dev.arbiter.optimizer.training.TrainingJobs;
import dev.arbiter.optimizer.training.TrainingPlan;
import dev.arbiter.optimizer.training.TrainingUpdates;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.RetrainRequest;
import dev.arbiter.proto.v1.Retraining;
import dev.arbiter.proto.v1.RetrainingState;
import dev.arbiter.proto.v1.RetrainingTrigger;
import dev.arbiter.proto.v1.TrainingJobState;
import dev.arbiter.proto.v1.TrainingProgress;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.proto.v1.TrainingSpec;
import dev.arbiter.service.PageTokens;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Retraining (RetrainRequest): checks the request against model-service (the champion, its training job, the ensemble),
 * stores the retraining, runs the champion's spec again on the latest history as a training job with registration
 * IF_SIGNIFICANTLY_BETTER and, when a challenger is registered, hands it to {@link RampRunner}, which makes the ramp's
 * first step at once and the others in the background.
 */
@ApplicationScoped
public class Retrainings {

    private static final Logger LOG = Logger.getLogger(Retrainings.class);

    /** Hears one retraining: started, the training's progress, then trained (or a refusal before anything started). */
    public interface Listener {
        void started(Retraining r);

        void progress(TrainingProgress p);

        void trained(Retraining r);

        /** A listener for retrainings nobody waits on (the triggers'): it logs the end. */
        Listener LOGGED = new Listener() {
            @Override
            public void started(Retraining r) {}

            @Override
            public void progress(TrainingProgress p) {}

            @Override
            public void trained(Retraining r) {
                LOG.infof("retraining %d of %s (%s): %s%s", r.getRetrainingId(), r.getModelName(), r.getTrigger(),
                        r.getState(), r.getOutcome().isEmpty() ? "" : ": " + r.getOutcome());
            }
        };
    }

    private final RetrainingStore store;
    private final TrainingJobs training;
    private final TrainingJobRepository jobs;
    private final HistoryStore history;
    private final ModelRegistryClient models;
    private final RampRunner ramp;

    Retrainings(RetrainingStore store, TrainingJobs training, TrainingJobRepository jobs, HistoryStore history,
                ModelRegistryClient models, RampRunner ramp) {
        this.store = store;
        this.training = training;
        this.jobs = jobs;
        this.history = history;
        this.models = models;
        this.ramp = ramp;
    }

    /**
     * Starts a retraining; empty when {@code triggerKey} (not null) was claimed before (another replica took this firing
     * or drift).
     *
     * @throws RequestRefused as RetrainRequest's contract says; nothing is stored then
     */
    public Optional<Retraining> start(RetrainRequest request, RetrainingTrigger trigger, String triggerKey, Listener listener) {
        String model = request.getModelName();
        if (model.isEmpty()) {
            throw invalid("model_name", "model_name is missing; send the model whose champion to retrain");
        }
        if (!TrainingPlan.MODEL_NAME.matcher(model).matches()) {
            throw invalid("model_name", "model_name \"" + model + "\" is not a model-service name; use lowercase letters,"
                    + " digits, '-' and '_', at most 64 characters");
        }
        String ensemble = request.getEnsembleName();
        if (ensemble.isEmpty()) {
            throw invalid("ensemble_name", "ensemble_name is missing; send the ensemble the champion is a member of, which"
                    + " the challenger ramps into");
        }
        if (!TrainingPlan.MODEL_NAME.matcher(ensemble).matches()) {
            throw invalid("ensemble_name", "ensemble_name \"" + ensemble + "\" is not a model-service name; use lowercase"
                    + " letters, digits, '-' and '_', at most 64 characters");
        }
        if (request.getReason().isBlank()) {
            throw invalid("reason", "reason is missing; say why this model is retrained");
        }
        ModelTrainingConfig challenger = request.hasChallenger() ? request.getChallenger() : null;
        if (challenger != null) {
            ModelSettings.of(challenger, "challenger");
        }
        ModelVersion champion = modelService("model_name", () -> models.champion(model)).orElseThrow(() -> precondition("model_name",
                model + " has no ACTIVE version to retrain; train one (RunTraining) and activate it first"));
        String championJob = champion.getTrainingMetadataMap().get("job_id");
        if (championJob == null) {
            throw precondition("model_name", model + " v" + champion.getVersion() + ", its champion, was not trained by"
                    + " RunTraining (no training_metadata job_id), so there is no spec to repeat; train the model with"
                    + " RunTraining and activate that version");
        }
        TrainingSpec spec = jobs.find(championJob).map(e -> parse(e.spec)).orElseThrow(() -> precondition("model_name",
                model + " v" + champion.getVersion() + " was trained by job " + championJob + ", which is no longer"
                        + " stored here; train the model again with RunTraining"));
        EnsembleDefinition e = modelService("ensemble_name", () -> models.ensemble(ensemble)).orElseThrow(() -> notFound("ensemble_name",
                "ensemble \"" + ensemble + "\" is not defined in model-service; ListEnsembles lists them"));
        if (RampPlan.indexOf(e, RetrainingStore.ref(model, champion.getVersion())) < 0) {
            throw precondition("ensemble_name", "ensemble " + ensemble + " does not have " + model + " v"
                    + champion.getVersion() + ", the champion, as a member; name the ensemble that does");
        }
        String why = trigger.name().substring("RETRAINING_TRIGGER_".length()).toLowerCase(Locale.ROOT) + ": "
                + request.getReason();
        TrainingSpec retrain = RetrainSpec.of(spec, id -> history.exists(id) ? history.series(id).endTsMicros() : 0,
                challenger, "retraining of " + model + " v" + champion.getVersion() + " (" + why + ")");
        try {
            TrainingPlan.of(retrain, history::exists);
        } catch (RequestRefused x) {
            throw precondition("model_name", "the spec of " + model + " v" + champion.getVersion() + "'s training job "
                    + championJob + " is refused now (" + x.field() + ": " + x.getMessage() + "); train the model again"
                    + " with RunTraining");
        }
        Optional<Long> id;
        try {
            id = store.create(model, ensemble, trigger, triggerKey, why, champion.getVersion());
        } catch (RetrainingStore.UnderWay u) {
            throw precondition("model_name", "a retraining of " + model + " is under way (TRAINING or RAMPING); wait for"
                    + " it to end (ListRetrainings)");
        }
        if (id.isEmpty()) {
            return Optional.empty();
        }
        long rid = id.get();
        Relay relay = new Relay(rid, listener);
        try {
            store.started(rid, training.start(retrain, relay));
        } catch (RuntimeException x) {
            store.failed(rid, "the training job could not start: " + x.getMessage());
            throw x instanceof RequestRefused r ? r : new IllegalStateException(x);
        }
        try {
            Retraining started = store.find(rid).orElseThrow();
            listener.started(started);
            return Optional.of(started);
        } finally {
            relay.announced.countDown();
        }
    }

    /**
     * A page of retrainings, newest first, with their steps.
     *
     * @throws RequestRefused INVALID_ARGUMENT on page_size or page_token
     */
    public List<Retraining> list(String model, String pageToken, int size) {
        String after = PageTokens.after(pageToken, "retrainings");
        Long atOrBelow = null;
        if (!after.isEmpty()) {
            try {
                atOrBelow = Long.parseLong(after) - 1;
            } catch (NumberFormatException e) {
                throw PageTokens.notIssued();
            }
        }
        return store.page(model.isEmpty() ? null : model, atOrBelow, size);
    }

    /** The training's end: ramp (the first step at once), not replaced, or failed. */
    private void trained(long id, TrainingResult result, Listener listener) {
        if (result.getState() != TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED) {
            store.trained(id, result, RetrainingState.RETRAINING_STATE_FAILED, null, "training "
                    + result.getState().name().substring("TRAINING_JOB_STATE_".length()).toLowerCase(Locale.ROOT) + ": "
                    + result.getReason());
        } else if (!result.getRegistered()) {
            store.trained(id, result, RetrainingState.RETRAINING_STATE_NOT_REPLACED, null, result.getReason());
        } else if (store.trained(id, result, RetrainingState.RETRAINING_STATE_RAMPING, result.getModelVersion().getVersion(), "")) {
            ramp.stepNow(id);
        }
        store.find(id).ifPresent(listener::trained);
    }

    /**
     * Every minute: a retraining still TRAINING a minute after its job ended lost the process that started it (the
     * job's end is recorded at once otherwise); its end is recorded now, by whichever process looks first.
     */
    @Scheduled(identity = "retraining-recovery", every = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void recoverTrainingsEndedMeanwhile() {
        try {
            store.trainedButNotRecorded(60_000_000L).forEach(this::recover);
        } catch (RuntimeException e) {
            LOG.warnf("looking for retrainings whose training ended meanwhile failed (%s); tried again in a minute",
                    e.getMessage());
        }
    }

    private void recover(long id) {
        store.find(id).ifPresent(r -> jobs.find(r.getJobId()).ifPresent(job -> {
            if (job.result != null) {
                LOG.infof("retraining %d: its training ended while its process was gone; recorded now", id);
                trained(id, TrainingJobs.parseResult(job.result), Listener.LOGGED);
            } else {
                store.failed(id, "its training job ended without a result");
            }
        }));
    }

    private static TrainingSpec parse(byte[] spec) {
        try {
            return TrainingSpec.parseFrom(spec);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("a training job holds an unreadable spec", e);
        }
    }

    /**
     * A call to model-service about {@code field}: one that did not answer (no status, UNAVAILABLE, a deadline) is
     * UNAVAILABLE, a refusal keeps its code.
     */
    private static <T> T modelService(String field, Supplier<T> call) {
        try {
            return call.get();
        } catch (ModelServiceFailure f) {
            boolean away = f.code() == Status.Code.UNKNOWN || f.code() == Status.Code.DEADLINE_EXCEEDED;
            throw new RequestRefused(away ? Status.Code.UNAVAILABLE : f.code(), field, f.getMessage());
        }
    }

    /** The training job's updates for one retraining, held until its start has been announced. */
    private final class Relay implements TrainingUpdates {
        private final long id;
        private final Listener listener;
        final CountDownLatch announced = new CountDownLatch(1);

        Relay(long id, Listener listener) {
            this.id = id;
            this.listener = listener;
        }

        @Override
        public void progress(TrainingProgress progress) {
            if (announced.getCount() == 0) {
                listener.progress(progress);
            }
        }

        @Override
        public void result(TrainingResult result) {
            await();
            trained(id, result, listener);
        }

        @Override
        public void refused(RequestRefused refusal) {
            await();
            store.failed(id, "training refused: " + refusal.field() + ": " + refusal.getMessage());
            store.find(id).ifPresent(listener::trained);
        }

        private void await() {
            try {
                announced.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
