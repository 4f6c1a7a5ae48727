package dev.arbiter.optimizer.training;

import dev.arbiter.service.alerts.Alert;
import dev.arbiter.service.alerts.AlertEvent;
import dev.arbiter.service.alerts.AlertSender;
import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.optimizer.client.ModelRegistryClient;
import dev.arbiter.optimizer.client.ModelServiceFailure;
import dev.arbiter.optimizer.config.FeatureSchemaConfig;
import dev.arbiter.optimizer.config.OptimizerConfig;
import dev.arbiter.optimizer.config.TrainingConfig;
import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.optimizer.repository.TrainingJobEntity;
import dev.arbiter.optimizer.repository.TrainingJobRepository;
import dev.arbiter.proto.v1.TrainingJob;
import dev.arbiter.proto.v1.TrainingJobState;
import dev.arbiter.proto.v1.TrainingPhase;
import dev.arbiter.proto.v1.TrainingProgress;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.proto.v1.TrainingSpec;
import dev.arbiter.service.PageTokens;
import dev.arbiter.service.RequestRefused;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Training jobs: checks a request, stores the job, runs it on this process's training workers
 * ({@code arbiter.optimizer.training.max-concurrent-jobs}) and stores every progress and the result in PostgreSQL, so
 * a job goes on when its caller disconnects and any replica answers GetTrainingJob. A cancel is a flag in the job's row
 * that the runner reads at every progress report, wherever it runs.
 */
@ApplicationScoped
public class TrainingJobs {

    private static final Logger LOG = Logger.getLogger(TrainingJobs.class);

    private final TrainingJobRepository jobs;
    private final HistoryStore history;
    private final ModelRegistryClient models;
    private final TrainingConfig config;
    private final FeatureConfig features;
    private final ExecutorService workers;
    private final AlertSender alerts;

    /** Jobs of this process that have not finished, by id. */
    private final Map<String, Local> local = new ConcurrentHashMap<>();

    /** A job of this process: its run once started, and its end. */
    private static final class Local {
        volatile TrainingRun run;
        volatile boolean cancelled;
        final CompletableFuture<Void> done = new CompletableFuture<>();
    }

    TrainingJobs(TrainingJobRepository jobs, HistoryStore history, ModelRegistryClient models, OptimizerConfig config,
                 FeatureSchemaConfig features, AlertSender alerts) {
        this.alerts = alerts;
        this.features = FeatureConfig.fromParameters(features.windows().asParameters());
        this.jobs = jobs;
        this.history = history;
        this.models = models;
        this.config = config.training();
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(Math.max(1, this.config.maxConcurrentJobs()), r -> {
            Thread t = new Thread(r, "training-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Jobs left QUEUED or RUNNING by a process that stopped are FAILED, so nobody waits for them. */
    void failOrphans(@Observes StartupEvent start) {
        long before = micros(Instant.now().minus(config.orphanedAfter()));
        for (String id : jobs.unfinishedSince(before)) {
            TrainingResult result = TrainingResult.newBuilder().setJobId(id)
                    .setState(TrainingJobState.TRAINING_JOB_STATE_FAILED)
                    .setReason("orphaned: no progress for longer than " + config.orphanedAfter()
                            + " (arbiter.optimizer.training.orphaned-after); the process running it stopped. Run it again")
                    .build();
            if (jobs.finish(id, TrainingJobRepository.FAILED, result.toByteArray(), micros(Instant.now()))) {
                LOG.warnf("training job %s was orphaned and is now FAILED", id);
            }
        }
    }

    @PreDestroy
    void stop() {
        local.values().forEach(l -> l.cancelled = true);
        local.values().forEach(l -> {
            TrainingRun run = l.run;
            if (run != null) {
                run.stop();
            }
        });
        workers.shutdown();
    }

    /**
     * Checks the spec, stores the job QUEUED and starts it; {@code updates} hears its progress and its end.
     *
     * @return the job id
     * @throws RequestRefused for a spec refused before any data is read (nothing is stored then)
     */
    public String start(TrainingSpec spec, TrainingUpdates updates) {
        TrainingPlan plan = TrainingPlan.of(spec, history::exists);
        String jobId = UUID.randomUUID().toString();
        long startNanos = System.nanoTime();
        TrainingProgress queued = TrainingProgress.newBuilder().setJobId(jobId)
                .setPhase(TrainingPhase.TRAINING_PHASE_QUEUED).setMessage("queued").build();
        jobs.create(jobId, spec.getModelName(), spec.toByteArray(), queued.toByteArray(), micros(Instant.now()));
        updates.progress(queued);
        Local l = new Local();
        local.put(jobId, l);
        try {
            workers.execute(() -> run(jobId, plan, updates, l, startNanos));
        } catch (RuntimeException e) {
            local.remove(jobId);
            end(jobId, l, result(jobId, TrainingJobState.TRAINING_JOB_STATE_FAILED, "the service is stopping; run the"
                    + " job again", startNanos), updates);
        }
        return jobId;
    }

    private void run(String jobId, TrainingPlan plan, TrainingUpdates updates, Local l, long startNanos) {
        TrainingRun run = new TrainingRun(jobId, plan, features, history, models, progress -> {
            boolean stop = jobs.progress(jobId, progress.toByteArray(), micros(Instant.now())) || l.cancelled;
            updates.progress(progress);
            return stop;
        }, startNanos, config.minBrierImprovement());
        l.run = run;
        TrainingProgress starting = TrainingProgress.newBuilder().setJobId(jobId)
                .setPhase(TrainingPhase.TRAINING_PHASE_LOADING_HISTORY).setMessage("started").build();
        if (l.cancelled || !jobs.start(jobId, starting.toByteArray(), micros(Instant.now()))) {
            end(jobId, l, result(jobId, TrainingJobState.TRAINING_JOB_STATE_CANCELLED, "cancelled before it started",
                    startNanos), updates);
            return;
        }
        TrainingResult result;
        RequestRefused refusal = null;
        try {
            result = run.run();
        } catch (TrainingCancelled e) {
            result = result(jobId, TrainingJobState.TRAINING_JOB_STATE_CANCELLED, "cancelled", startNanos);
        } catch (RequestRefused e) {
            refusal = e;
            result = result(jobId, TrainingJobState.TRAINING_JOB_STATE_FAILED, e.code() + " " + e.field() + ": "
                    + e.getMessage(), startNanos);
        } catch (ModelServiceFailure e) {
            result = result(jobId, TrainingJobState.TRAINING_JOB_STATE_FAILED, e.getMessage(), startNanos);
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "training job %s failed", jobId);
            result = result(jobId, TrainingJobState.TRAINING_JOB_STATE_FAILED, "internal error: " + e, startNanos);
        }
        if (refusal != null) {
            store(jobId, result);
            local.remove(jobId);
            l.done.complete(null);
            updates.refused(refusal);
        } else {
            end(jobId, l, result, updates);
        }
    }

    /** Stores the result unless the job was finished otherwise meanwhile, then tells whoever listens. */
    private void end(String jobId, Local l, TrainingResult result, TrainingUpdates updates) {
        TrainingResult stored = store(jobId, result);
        local.remove(jobId);
        l.done.complete(null);
        updates.result(stored);
    }

    private TrainingResult store(String jobId, TrainingResult result) {
        String state = result.getState().name().substring("TRAINING_JOB_STATE_".length());
        try {
            if (!jobs.finish(jobId, state, result.toByteArray(), micros(Instant.now()))) {
                // Finished by another path (found orphaned): answer what is stored.
                return jobs.find(jobId).map(e -> parseResult(e.result)).orElse(result);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not store the result of training job %s", jobId);
        }
        alerts.send(resultAlert(result));
        return result;
    }

    /** The retraining-result alert of a finished job: what was registered, against which champion, or why not. */
    static Alert resultAlert(TrainingResult r) {
        String state = r.getState().name().substring("TRAINING_JOB_STATE_".length()).toLowerCase(java.util.Locale.ROOT);
        StringBuilder text = new StringBuilder("Training job ").append(r.getJobId()).append(' ').append(state);
        if (r.getRegistered()) {
            text.append(": registered ").append(r.getModelVersion().getModelName()).append(" v")
                    .append(r.getModelVersion().getVersion()).append(" (STAGED)");
        }
        if (r.hasValidationMetrics()) {
            text.append(String.format(java.util.Locale.ROOT, "; validation Brier %.4f on %d rows",
                    r.getValidationMetrics().getBrierScore(), r.getValidationRows()));
        }
        if (r.hasChampion()) {
            text.append(String.format(java.util.Locale.ROOT, ", champion %s v%d %.4f", r.getChampion().getModelName(),
                    r.getChampion().getVersion(), r.getChampionMetrics().getBrierScore()));
        }
        text.append(". ").append(r.getReason());
        String title = "training job " + state + (r.getRegistered() ? ": " + r.getModelVersion().getModelName() + " v"
                + r.getModelVersion().getVersion() + " registered" : "");
        return new Alert(AlertEvent.RETRAINING, r.getJobId(), title, text.toString());
    }

    /** One job; NOT_FOUND when unknown. */
    public TrainingJob get(String jobId) {
        return job(find(jobId));
    }

    /**
     * A page of jobs, newest first.
     *
     * @param state    only this state; UNSPECIFIED = any
     * @param after    the {@link #pageKey} of the last job of the previous page; "" for the first page
     * @throws RequestRefused INVALID_ARGUMENT for an unknown state or a key this service did not make
     */
    public List<TrainingJob> list(TrainingJobState state, String modelName, String after, int limit) {
        if (state == TrainingJobState.UNRECOGNIZED) {
            throw invalid("state", "state is not a TrainingJobState; send QUEUED, RUNNING, SUCCEEDED, FAILED,"
                    + " CANCELLED, or UNSPECIFIED for all");
        }
        Long created = null;
        String id = null;
        if (!after.isEmpty()) {
            int colon = after.indexOf(':');
            try {
                created = Long.parseLong(after.substring(0, Math.max(colon, 0)));
                id = after.substring(colon + 1);
            } catch (NumberFormatException e) {
                throw PageTokens.notIssued();
            }
        }
        String s = state == TrainingJobState.TRAINING_JOB_STATE_UNSPECIFIED ? null
                : state.name().substring("TRAINING_JOB_STATE_".length());
        return jobs.page(s, modelName.isEmpty() ? null : modelName, created, id, limit).stream()
                .map(TrainingJobs::job).toList();
    }

    /** Where the page after this job starts. */
    public static String pageKey(TrainingJob job) {
        return job.getCreatedTsMicros() + ":" + job.getJobId();
    }

    /**
     * Cancels a queued or running job: a queued one ends CANCELLED at once; a running one stops at its next progress
     * report (this call waits up to {@code cancel-wait} for a job of this process). A finished job is answered as is.
     */
    public TrainingJob cancel(String jobId) {
        requireId(jobId);
        Optional<TrainingJobEntity> e = jobs.requestCancel(jobId, micros(Instant.now()));
        if (e.isEmpty()) {
            throw notFound("job_id", "no training job \"" + jobId + "\"; ListTrainingJobs lists them");
        }
        Local l = local.get(jobId);
        if (l != null) {
            l.cancelled = true;
        }
        if (TrainingJobRepository.QUEUED.equals(e.get().state)) {
            TrainingResult cancelled = TrainingResult.newBuilder().setJobId(jobId)
                    .setState(TrainingJobState.TRAINING_JOB_STATE_CANCELLED).setReason("cancelled before it started").build();
            jobs.finish(jobId, TrainingJobRepository.CANCELLED, cancelled.toByteArray(), micros(Instant.now()));
        } else if (l != null) {
            TrainingRun run = l.run;
            if (run != null) {
                run.stop();
            }
            try {
                l.done.get(config.cancelWait().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException ignored) {
                // Answer the state as it is; the runner stops at its next check.
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        return get(jobId);
    }

    private TrainingJobEntity find(String jobId) {
        requireId(jobId);
        return jobs.find(jobId).orElseThrow(() -> notFound("job_id", "no training job \"" + jobId
                + "\"; ListTrainingJobs lists them"));
    }

    private static void requireId(String jobId) {
        if (jobId.isEmpty()) {
            throw invalid("job_id", "job_id is missing; send the id RunTraining answered");
        }
    }

    private static TrainingJob job(TrainingJobEntity e) {
        TrainingJob.Builder b = TrainingJob.newBuilder()
                .setJobId(e.jobId)
                .setState(TrainingJobState.valueOf("TRAINING_JOB_STATE_" + e.state))
                .setCreatedTsMicros(e.createdTsMicros)
                .setFinishedTsMicros(e.finishedTsMicros);
        try {
            b.setSpec(TrainingSpec.parseFrom(e.spec));
            if (e.latestProgress != null) {
                b.setLatestProgress(TrainingProgress.parseFrom(e.latestProgress));
            }
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("training job " + e.jobId + " holds unreadable protobuf", ex);
        }
        if (e.result != null) {
            b.setResult(parseResult(e.result));
        }
        return b.build();
    }

    public static TrainingResult parseResult(byte[] bytes) {
        try {
            return TrainingResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("a training job holds an unreadable result", ex);
        }
    }

    private static TrainingResult result(String jobId, TrainingJobState state, String reason, long startNanos) {
        return TrainingResult.newBuilder().setJobId(jobId).setState(state).setReason(reason)
                .setDurationMs((System.nanoTime() - startNanos) / 1_000_000).build();
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}
