package dev.arbiter.optimizer.repository;

import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Optional;

/**
 * Training jobs in PostgreSQL. Every method is one short transaction; state changes are guarded by the state they
 * expect, so a job finished by one path (done, cancelled, found orphaned) is never overwritten by another.
 */
@ApplicationScoped
public class TrainingJobRepository {

    public static final String QUEUED = "QUEUED";
    public static final String RUNNING = "RUNNING";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    public static final String CANCELLED = "CANCELLED";

    @Transactional
    public void create(String jobId, String modelName, byte[] spec, byte[] progress, long nowMicros) {
        TrainingJobEntity e = new TrainingJobEntity();
        e.jobId = jobId;
        e.modelName = modelName;
        e.state = QUEUED;
        e.spec = spec;
        e.latestProgress = progress;
        e.createdTsMicros = nowMicros;
        e.updatedTsMicros = nowMicros;
        e.persist();
    }

    @Transactional
    public Optional<TrainingJobEntity> find(String jobId) {
        return TrainingJobEntity.findByIdOptional(jobId);
    }

    /** QUEUED → RUNNING; false when the job is no longer queued (cancelled meanwhile). */
    @Transactional
    public boolean start(String jobId, byte[] progress, long nowMicros) {
        TrainingJobEntity e = TrainingJobEntity.findById(jobId);
        if (e == null || !QUEUED.equals(e.state) || e.cancelRequested) {
            return false;
        }
        e.state = RUNNING;
        e.latestProgress = progress;
        e.updatedTsMicros = nowMicros;
        return true;
    }

    /** Records progress of a running job and answers whether a cancel was requested (by any process). */
    @Transactional
    public boolean progress(String jobId, byte[] progress, long nowMicros) {
        TrainingJobEntity e = TrainingJobEntity.findById(jobId);
        if (e == null) {
            return true;
        }
        if (RUNNING.equals(e.state)) {
            e.latestProgress = progress;
            e.updatedTsMicros = nowMicros;
        }
        return e.cancelRequested || !RUNNING.equals(e.state);
    }

    /** Finishes a job that is still QUEUED or RUNNING; false when something else finished it first. */
    @Transactional
    public boolean finish(String jobId, String state, byte[] result, long nowMicros) {
        TrainingJobEntity e = TrainingJobEntity.findById(jobId);
        if (e == null || !(QUEUED.equals(e.state) || RUNNING.equals(e.state))) {
            return false;
        }
        e.state = state;
        e.result = result;
        e.updatedTsMicros = nowMicros;
        e.finishedTsMicros = nowMicros;
        return true;
    }

    /** Marks a QUEUED or RUNNING job for cancellation; answers the job as it is now (empty when unknown). */
    @Transactional
    public Optional<TrainingJobEntity> requestCancel(String jobId, long nowMicros) {
        TrainingJobEntity e = TrainingJobEntity.findById(jobId);
        if (e != null && (QUEUED.equals(e.state) || RUNNING.equals(e.state)) && !e.cancelRequested) {
            e.cancelRequested = true;
            e.updatedTsMicros = nowMicros;
        }
        return Optional.ofNullable(e);
    }

    /** Jobs QUEUED or RUNNING whose last change is older than {@code beforeMicros}. */
    @Transactional
    public List<String> unfinishedSince(long beforeMicros) {
        return TrainingJobEntity.<TrainingJobEntity>find("state in (:states) and updatedTsMicros < :before",
                        Parameters.with("states", List.of(QUEUED, RUNNING)).and("before", beforeMicros))
                .stream().map(e -> e.jobId).toList();
    }

    /**
     * A page of jobs, newest first, after the job {@code (afterCreatedMicros, afterJobId)} (none: from the newest).
     *
     * @param state     only this state; null = any
     * @param modelName only this model; null = any
     */
    @Transactional
    public List<TrainingJobEntity> page(String state, String modelName, Long afterCreatedMicros, String afterJobId,
                                        int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        Parameters p = new Parameters();
        if (state != null) {
            q.append(" and state = :state");
            p.and("state", state);
        }
        if (modelName != null) {
            q.append(" and modelName = :model");
            p.and("model", modelName);
        }
        if (afterCreatedMicros != null) {
            q.append(" and (createdTsMicros < :created or (createdTsMicros = :created and jobId < :id))");
            p.and("created", afterCreatedMicros).and("id", afterJobId);
        }
        return TrainingJobEntity.<TrainingJobEntity>find(q.toString(),
                        Sort.descending("createdTsMicros").and("jobId", Sort.Direction.Descending), p)
                .page(0, limit).list();
    }
}
