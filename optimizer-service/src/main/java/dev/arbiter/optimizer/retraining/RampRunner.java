package dev.arbiter.optimizer.retraining;

import dev.arbiter.optimizer.client.ModelRegistryClient;
import dev.arbiter.optimizer.client.ModelServiceFailure;
import dev.arbiter.optimizer.config.RetrainingConfig;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleWeights;
import dev.arbiter.proto.v1.MemberWeight;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.Retraining;
import dev.arbiter.proto.v1.RetrainingAction;
import dev.arbiter.proto.v1.RetrainingState;
import dev.arbiter.proto.v1.RetrainingStep;
import dev.arbiter.service.alerts.Alert;
import dev.arbiter.service.alerts.AlertEvent;
import dev.arbiter.service.alerts.AlertSender;
import io.grpc.Status;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Steps ramps: every tick (the ramp interval, at most 5 s) this process takes each RAMPING retraining whose step is due
 * and that no other process holds ({@link RetrainingStore#claimDue}, a lease), reads the ensemble and its weights from
 * model-service, asks {@link RampPlan} for the step, applies it with the ensemble's revision as read (a concurrent edit
 * makes it wait for the next tick) and records it with the weights it read: the audit trail. A ramp thus survives the
 * restart of the process that began it (a training that ended while its process was gone is recorded by
 * {@link Retrainings}' own schedule). Each end (replaced, rolled back, stopped) sends an alert.
 */
@ApplicationScoped
public class RampRunner {

    private static final Logger LOG = Logger.getLogger(RampRunner.class);

    private final RetrainingStore store;
    private final ModelRegistryClient models;
    private final RetrainingConfig config;
    private final AlertSender alerts;
    private final RampPlan plan;
    private final String owner = UUID.randomUUID().toString();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "retraining-ramp");
        t.setDaemon(true);
        return t;
    });
    RampRunner(RetrainingStore store, ModelRegistryClient models, RetrainingConfig config, AlertSender alerts) {
        this.store = store;
        this.models = models;
        this.config = config;
        this.alerts = alerts;
        this.plan = new RampPlan(config.rampSteps(), config.guardMinOutcomes(), config.guardMargin());
    }

    void onStart(@Observes StartupEvent start) {
        long tick = tickMillis();
        ticks.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    private long tickMillis() {
        return Math.max(100, Math.min(config.rampInterval().toMillis(), 5000));
    }

    private long leaseUntil() {
        return (System.currentTimeMillis() + Math.max(3 * tickMillis(), 30_000)) * 1000;
    }

    @PreDestroy
    void stop() {
        ticks.shutdownNow();
    }

    private void tick() {
        try {
            while (claimAndStep(null)) {
                // every due ramp, one step each; stops when none is due or a step could not be made (tried next tick)
            }
        } catch (RuntimeException e) {
            LOG.warnf("retraining ramp tick: %s; the next tick tries again", e.getMessage());
        }
    }

    /** Takes and makes the first step of a retraining whose challenger was just registered; false when it could not. */
    boolean stepNow(long id) {
        try {
            return claimAndStep(id);
        } catch (RuntimeException e) {
            LOG.warnf("retraining %d: its first step failed (%s); the next tick tries again", id, e.getMessage());
            return false;
        }
    }

    /**
     * Claims a due ramp ({@code only} that one, or any) and steps it. One at a time in this process: the tick and a
     * just-trained retraining's first step would otherwise both claim the same due ramp (this process owns both
     * claims), while after a step its next one is no longer due.
     */
    private synchronized boolean claimAndStep(Long only) {
        Optional<Retraining> due = store.claimDue(owner, leaseUntil(), only);
        return due.isPresent() && step(due.get());
    }

    /** One step of a claimed ramp; false when nothing was recorded (tried again at the next tick). */
    private boolean step(Retraining r) {
        ModelVersionRef champion = r.getChampion();
        ModelVersionRef challenger = r.getChallenger();
        int done = r.getStepsCount();
        try {
            Optional<EnsembleDefinition> read = models.ensemble(r.getEnsembleName());
            if (read.isEmpty()) {
                return stopped(r, done, "ensemble " + r.getEnsembleName() + " no longer exists", 0);
            }
            EnsembleDefinition e = read.get();
            EnsembleWeights w = models.weights(r.getEnsembleName());
            MemberWeight championWeight = weightOf(w, champion);
            MemberWeight challengerWeight = weightOf(w, challenger);
            if (championWeight == null) {
                return stopped(r, done, champion.getModelName() + " v" + champion.getVersion() + " is no longer a member of "
                        + r.getEnsembleName(), e.getRevision());
            }
            if (done > 0 && challengerWeight == null) {
                return stopped(r, done, "the challenger " + challenger.getModelName() + " v" + challenger.getVersion()
                        + " was taken out of " + r.getEnsembleName(), e.getRevision());
            }
            RampPlan.Step next = plan.next(done, challengerWeight == null ? 0 : challengerWeight.getScore(),
                    championWeight.getScore(), challengerWeight == null ? 0 : challengerWeight.getOutcomeCount());
            String why = "retraining " + r.getRetrainingId() + ": " + next.note();
            EnsembleDefinition defined;
            RetrainingState state = RetrainingState.RETRAINING_STATE_RAMPING;
            String outcome = "";
            switch (next.action()) {
                case RETRAINING_ACTION_JOINED -> {
                    models.activate(challenger, why);
                    // a process that stopped after joining and before recording it left the challenger in: cap it only
                    defined = models.define(RampPlan.capped(e, challenger, next.cap()).orElseGet(() ->
                            RampPlan.join(e, challenger, next.cap(), startingScore(e, champion, championWeight))),
                            e.getRevision());
                }
                case RETRAINING_ACTION_RAISED -> defined = models.define(RampPlan.capped(e, challenger, next.cap()).orElseThrow(),
                        e.getRevision());
                case RETRAINING_ACTION_REPLACED -> {
                    defined = models.define(RampPlan.replaced(e, champion, challenger).orElseThrow(), e.getRevision());
                    state = RetrainingState.RETRAINING_STATE_REPLACED;
                    outcome = "v" + challenger.getVersion() + " replaced v" + champion.getVersion() + " in "
                            + r.getEnsembleName() + " after " + (done + 1) + " steps; " + retire(champion, why);
                }
                case RETRAINING_ACTION_ROLLED_BACK -> {
                    defined = models.define(RampPlan.without(e, challenger).orElseThrow(), e.getRevision());
                    state = RetrainingState.RETRAINING_STATE_ROLLED_BACK;
                    outcome = next.note() + "; " + retire(challenger, why);
                }
                default -> throw new IllegalStateException("no step " + next.action());
            }
            RetrainingStep recorded = step(done + 1, next.action(), next.cap(), challengerWeight, championWeight,
                    defined.getRevision(), next.note());
            long due = (System.currentTimeMillis() + config.rampInterval().toMillis()) * 1000;
            if (!store.step(r.getRetrainingId(), owner, recorded, state, due, outcome)) {
                LOG.warnf("retraining %d: step %d was made but another process holds the ramp now", r.getRetrainingId(), done + 1);
                return false;
            }
            LOG.infof("retraining %d of %s: step %d %s", r.getRetrainingId(), r.getModelName(), done + 1, next.note());
            if (state == RetrainingState.RETRAINING_STATE_REPLACED) {
                alert(AlertEvent.PROMOTION, r, "replaced", outcome);
            } else if (state == RetrainingState.RETRAINING_STATE_ROLLED_BACK) {
                alert(AlertEvent.ROLLBACK, r, "rolled back", outcome);
            }
            return true;
        } catch (ModelServiceFailure f) {
            LOG.warnf("retraining %d: step %d not made (%s); tried again at the next tick", r.getRetrainingId(), done + 1,
                    f.getMessage());
            return false;
        }
    }

    /**
     * What the challenger's score starts from: level with the champion. The champion's score once it has outcomes;
     * before, its initial weight as defined (0, an equal share, stays an equal share for both).
     */
    private static double startingScore(EnsembleDefinition e, ModelVersionRef champion, MemberWeight championWeight) {
        return championWeight.getOutcomeCount() > 0 ? championWeight.getScore()
                : e.getMembers(RampPlan.indexOf(e, champion)).getInitialWeight();
    }

    /**
     * Retires a version that left the ensemble; says so, or why it stays. Never fails the step: the ensemble has changed
     * already, so the step is recorded either way, and a version left serving is named in the outcome.
     */
    private String retire(ModelVersionRef v, String why) {
        try {
            models.retire(v, why);
            return "v" + v.getVersion() + " retired";
        } catch (ModelServiceFailure f) {
            return "v" + v.getVersion() + " stays serving (" + f.getMessage() + ")"
                    + (f.code() == Status.Code.FAILED_PRECONDITION ? "" : "; retire it with model-service's"
                    + " RetireModelVersion");
        }
    }

    private boolean stopped(Retraining r, int done, String why, int revision) {
        RetrainingStep s = step(done + 1, RetrainingAction.RETRAINING_ACTION_STOPPED, 0, null, null, revision, why);
        if (store.step(r.getRetrainingId(), owner, s, RetrainingState.RETRAINING_STATE_STOPPED, 0, why)) {
            alert(AlertEvent.RETRAINING, r, "stopped", why + "; the ramp cannot go on and changed nothing more");
        }
        return true;
    }

    private static RetrainingStep step(int n, RetrainingAction action, double cap, MemberWeight challenger,
                                       MemberWeight champion, int revision, String note) {
        return RetrainingStep.newBuilder().setStep(n).setAction(action).setMaxWeight(cap)
                .setChallengerWeight(challenger == null ? 0 : challenger.getWeight())
                .setChallengerScore(challenger == null ? 0 : challenger.getScore())
                .setChampionScore(champion == null ? 0 : champion.getScore())
                .setChallengerOutcomes(challenger == null ? 0 : challenger.getOutcomeCount())
                .setEnsembleRevision(revision).setNote(note).setTsMicros(RetrainingStore.nowMicros()).build();
    }

    private void alert(AlertEvent event, Retraining r, String what, String text) {
        String title = "retraining " + r.getRetrainingId() + " of " + r.getModelName() + " " + what;
        alerts.send(new Alert(event, "retraining " + r.getRetrainingId() + " " + what, title,
                "Retraining " + r.getRetrainingId() + " of " + r.getModelName() + " in ensemble " + r.getEnsembleName()
                        + " (" + r.getReason() + "): " + text + "."));
    }

    private static MemberWeight weightOf(EnsembleWeights w, ModelVersionRef v) {
        for (MemberWeight m : w.getMembersList()) {
            if (m.getModelName().equals(v.getModelName()) && m.getVersion() == v.getVersion()) {
                return m;
            }
        }
        return null;
    }
}
