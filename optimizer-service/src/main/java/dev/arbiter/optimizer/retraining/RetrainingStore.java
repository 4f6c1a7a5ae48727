package dev.arbiter.optimizer.retraining;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.Retraining;
import dev.arbiter.proto.v1.RetrainingAction;
import dev.arbiter.proto.v1.RetrainingState;
import dev.arbiter.proto.v1.RetrainingStep;
import dev.arbiter.proto.v1.RetrainingTrigger;
import dev.arbiter.proto.v1.TrainingResult;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Retrainings and their ramp steps in PostgreSQL (tables retraining and retraining_step, V6__retraining.sql). Every
 * change is one statement, or one transaction that checks the process still owns the ramp, so two processes never both
 * step it.
 */
@ApplicationScoped
public class RetrainingStore {

    /** A new retraining was refused by the database: another of the same model is under way. */
    public static final class UnderWay extends RuntimeException {
        UnderWay() {
            super("a retraining of this model is under way");
        }
    }

    private static final String COLUMNS = "retraining_id, model_name, ensemble_name, trigger, reason, state, "
            + "champion_version, challenger_version, job_id, training_result, outcome, created_ts_micros, "
            + "updated_ts_micros";

    /**
     * Stores a retraining as TRAINING. Empty when {@code triggerKey} (not null) was claimed before: another replica, or
     * an earlier poll, took this firing or drift.
     *
     * @throws UnderWay when a retraining of the model is TRAINING or RAMPING
     */
    @Transactional
    public Optional<Long> create(String model, String ensemble, RetrainingTrigger trigger, String triggerKey,
                                 String reason, int championVersion) {
        long now = nowMicros();
        EntityManager em = Panache.getEntityManager();
        try {
            @SuppressWarnings("unchecked")
            List<Object> ids = em.createNativeQuery("INSERT INTO {h-schema}retraining (model_name, ensemble_name, trigger, "
                            + "trigger_key, reason, state, champion_version, created_ts_micros, updated_ts_micros) VALUES "
                            + "(?1, ?2, ?3, ?4, ?5, 'TRAINING', ?6, ?7, ?7) ON CONFLICT (trigger_key) DO NOTHING "
                            + "RETURNING retraining_id")
                    .setParameter(1, model).setParameter(2, ensemble).setParameter(3, name(trigger))
                    .setParameter(4, triggerKey).setParameter(5, reason).setParameter(6, championVersion)
                    .setParameter(7, now).getResultList();
            return ids.stream().findFirst().map(id -> ((Number) id).longValue());
        } catch (PersistenceException e) {
            if (isUniqueViolation(e)) {
                throw new UnderWay();
            }
            throw e;
        }
    }

    /** The training job that trains the challenger. */
    @Transactional
    public void started(long id, String jobId) {
        Panache.getEntityManager().createNativeQuery("UPDATE {h-schema}retraining SET job_id = ?1, updated_ts_micros = ?2 "
                + "WHERE retraining_id = ?3").setParameter(1, jobId).setParameter(2, nowMicros()).setParameter(3, id)
                .executeUpdate();
    }

    /**
     * The training ended: RAMPING (due now, with the challenger) or an end state with its outcome. Only from TRAINING,
     * so a late second report changes nothing; false then.
     */
    @Transactional
    public boolean trained(long id, TrainingResult result, RetrainingState state, Integer challengerVersion, String outcome) {
        long now = nowMicros();
        return Panache.getEntityManager().createNativeQuery("UPDATE {h-schema}retraining SET state = ?1, training_result = ?2, "
                        + "challenger_version = ?3, outcome = ?4, next_step_micros = ?5, updated_ts_micros = ?5 "
                        + "WHERE retraining_id = ?6 AND state = 'TRAINING'")
                .setParameter(1, name(state)).setParameter(2, result.toByteArray())
                .setParameter(3, challengerVersion).setParameter(4, outcome).setParameter(5, now).setParameter(6, id)
                .executeUpdate() == 1;
    }

    /**
     * Takes the RAMPING retraining with the earliest due step, if one is due and no other process holds it (or this one
     * does), under a lease until {@code leaseUntilMicros}; {@code only} not null limits it to that retraining.
     */
    @Transactional
    public Optional<Retraining> claimDue(String owner, long leaseUntilMicros, Long only) {
        long now = nowMicros();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager().createNativeQuery("UPDATE {h-schema}retraining SET owner = ?1, "
                        + "lease_until_micros = ?2 WHERE retraining_id = (SELECT retraining_id FROM {h-schema}retraining "
                        + "WHERE state = 'RAMPING' AND next_step_micros <= ?3 AND (owner IS NULL OR owner = ?1 OR "
                        + "lease_until_micros < ?3) AND (CAST(?4 AS bigint) IS NULL OR retraining_id = ?4) "
                        + "ORDER BY next_step_micros LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS)
                .setParameter(1, owner).setParameter(2, leaseUntilMicros).setParameter(3, now).setParameter(4, only)
                .getResultList();
        return rows.stream().findFirst().flatMap(r -> find(((Number) r[0]).longValue()));
    }

    /**
     * Records a step of a ramp this process holds: the audit row (their count is the steps done), and either the next due time (still
     * RAMPING) or the end state with its outcome. False (nothing written) when another process holds it now.
     */
    @Transactional
    public boolean step(long id, String owner, RetrainingStep step, RetrainingState state, long nextStepMicros, String outcome) {
        EntityManager em = Panache.getEntityManager();
        int updated = em.createNativeQuery("UPDATE {h-schema}retraining SET state = ?1, next_step_micros = ?2, "
                        + "outcome = ?3, updated_ts_micros = ?4 WHERE retraining_id = ?5 AND owner = ?6 AND state = 'RAMPING'")
                .setParameter(1, name(state)).setParameter(2, nextStepMicros)
                .setParameter(3, outcome).setParameter(4, step.getTsMicros()).setParameter(5, id).setParameter(6, owner)
                .executeUpdate();
        if (updated != 1) {
            return false;
        }
        em.createNativeQuery("INSERT INTO {h-schema}retraining_step (retraining_id, step, action, max_weight, challenger_weight, "
                        + "challenger_score, champion_score, challenger_outcomes, ensemble_revision, note, ts_micros) VALUES "
                        + "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
                .setParameter(1, id).setParameter(2, step.getStep())
                .setParameter(3, step.getAction().name().substring("RETRAINING_ACTION_".length()))
                .setParameter(4, step.getMaxWeight()).setParameter(5, step.getChallengerWeight())
                .setParameter(6, step.getChallengerScore()).setParameter(7, step.getChampionScore())
                .setParameter(8, step.getChallengerOutcomes()).setParameter(9, step.getEnsembleRevision())
                .setParameter(10, step.getNote()).setParameter(11, step.getTsMicros()).executeUpdate();
        return true;
    }

    /** Retrainings still TRAINING whose job has ended and that nobody has touched for {@code idleMicros}: their process stopped. */
    @Transactional
    public List<Long> trainedButNotRecorded(long idleMicros) {
        @SuppressWarnings("unchecked")
        List<Object> ids = Panache.getEntityManager().createNativeQuery("SELECT r.retraining_id FROM {h-schema}retraining r "
                        + "JOIN {h-schema}training_job j ON j.job_id = r.job_id WHERE r.state = 'TRAINING' AND "
                        + "j.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND r.updated_ts_micros < ?1 ORDER BY 1")
                .setParameter(1, nowMicros() - idleMicros).getResultList();
        return ids.stream().map(o -> ((Number) o).longValue()).toList();
    }

    /** Ends a retraining that never got a job (its start failed) or whose job is gone. */
    @Transactional
    public void failed(long id, String outcome) {
        Panache.getEntityManager().createNativeQuery("UPDATE {h-schema}retraining SET state = 'FAILED', outcome = ?1, "
                        + "updated_ts_micros = ?2 WHERE retraining_id = ?3 AND state = 'TRAINING'")
                .setParameter(1, outcome).setParameter(2, nowMicros()).setParameter(3, id).executeUpdate();
    }

    /** One retraining with its steps. */
    @Transactional
    public Optional<Retraining> find(long id) {
        return page(null, id, 1).stream().filter(r -> r.getRetrainingId() == id).findFirst();
    }

    /** Newest first: {@code model} null = all; only ids at or below {@code atOrBelow} (null = from the newest). */
    @Transactional
    public List<Retraining> page(String model, Long atOrBelow, int limit) {
        EntityManager em = Panache.getEntityManager();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM {h-schema}retraining WHERE "
                        + "(CAST(?1 AS text) IS NULL OR model_name = ?1) AND (CAST(?2 AS bigint) IS NULL OR retraining_id <= ?2) "
                        + "ORDER BY retraining_id DESC LIMIT ?3")
                .setParameter(1, model).setParameter(2, atOrBelow).setParameter(3, limit).getResultList();
        List<Retraining> out = new ArrayList<>();
        for (Object[] r : rows) {
            long id = ((Number) r[0]).longValue();
            @SuppressWarnings("unchecked")
            List<Object[]> steps = em.createNativeQuery("SELECT step, action, max_weight, challenger_weight, challenger_score, "
                            + "champion_score, challenger_outcomes, ensemble_revision, note, ts_micros FROM "
                            + "{h-schema}retraining_step WHERE retraining_id = ?1 ORDER BY step")
                    .setParameter(1, id).getResultList();
            out.add(retraining(r, steps));
        }
        return out;
    }

    private static Retraining retraining(Object[] r, List<Object[]> steps) {
        String model = (String) r[1];
        Retraining.Builder b = Retraining.newBuilder()
                .setRetrainingId(((Number) r[0]).longValue())
                .setModelName(model)
                .setEnsembleName((String) r[2])
                .setTrigger(RetrainingTrigger.valueOf("RETRAINING_TRIGGER_" + r[3]))
                .setReason((String) r[4])
                .setState(RetrainingState.valueOf("RETRAINING_STATE_" + r[5]))
                .setChampion(ref(model, ((Number) r[6]).intValue()))
                .setOutcome((String) r[10])
                .setCreatedTsMicros(((Number) r[11]).longValue())
                .setUpdatedTsMicros(((Number) r[12]).longValue());
        if (r[7] != null) {
            b.setChallenger(ref(model, ((Number) r[7]).intValue()));
        }
        if (r[8] != null) {
            b.setJobId((String) r[8]);
        }
        if (r[9] != null) {
            try {
                b.setTrainingResult(TrainingResult.parseFrom((byte[]) r[9]));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("retraining " + r[0] + " holds an unreadable training result", e);
            }
        }
        for (Object[] s : steps) {
            b.addSteps(RetrainingStep.newBuilder()
                    .setStep(((Number) s[0]).intValue())
                    .setAction(RetrainingAction.valueOf("RETRAINING_ACTION_" + s[1]))
                    .setMaxWeight(((Number) s[2]).doubleValue())
                    .setChallengerWeight(((Number) s[3]).doubleValue())
                    .setChallengerScore(((Number) s[4]).doubleValue())
                    .setChampionScore(((Number) s[5]).doubleValue())
                    .setChallengerOutcomes(((Number) s[6]).longValue())
                    .setEnsembleRevision(((Number) s[7]).intValue())
                    .setNote((String) s[8])
                    .setTsMicros(((Number) s[9]).longValue()));
        }
        return b.build();
    }

    static ModelVersionRef ref(String model, int version) {
        return ModelVersionRef.newBuilder().setModelName(model).setVersion(version).build();
    }

    private static String name(RetrainingTrigger t) {
        return t.name().substring("RETRAINING_TRIGGER_".length());
    }

    private static String name(RetrainingState s) {
        return s.name().substring("RETRAINING_STATE_".length());
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && "23505".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    static long nowMicros() {
        return System.currentTimeMillis() * 1000;
    }
}
