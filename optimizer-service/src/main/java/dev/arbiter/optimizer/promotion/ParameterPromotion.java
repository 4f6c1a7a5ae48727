package dev.arbiter.optimizer.promotion;

import dev.arbiter.service.alerts.Alert;
import dev.arbiter.service.alerts.AlertEvent;
import dev.arbiter.service.alerts.AlertSender;
import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.optimizer.config.PromotionConfig;
import dev.arbiter.optimizer.study.StudyService;
import dev.arbiter.proto.v1.PromoteParametersRequest;
import dev.arbiter.proto.v1.PromoteParametersResponse;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * PromoteParameters: checks the request, reads the target, makes the first step through decision-service and, with
 * continue_until_reached, schedules the further steps every {@code step-interval} on one background thread. The
 * continuing promotion is kept in PostgreSQL ({@link PromotionStore}) under a lease this process renews at every step,
 * so it survives a restart: every process looks every step interval for a RUNNING promotion into its decision-service
 * whose lease ran out (three intervals) and takes it over. One continuing promotion per decision-service: a new call,
 * on any process, supersedes the one running.
 */
@ApplicationScoped
public class ParameterPromotion {

    private static final Logger LOG = Logger.getLogger(ParameterPromotion.class);

    private final StudyService studies;
    private final AlertSender alerts;
    private final DecisionParameters decisions;
    private final PromotionConfig config;
    private final PromotionStore store;
    private final String owner = java.util.UUID.randomUUID().toString();
    /** The decision-service promotions go into, as configured: a promotion is taken over only by a process promoting into the same one. */
    private final String decisionService;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parameter-promotion");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> running;

    public ParameterPromotion(StudyService studies, DecisionParametersClient decisions, PromotionConfig config,
                              PromotionStore store, AlertSender alerts) {
        this.alerts = alerts;
        this.studies = studies;
        this.decisions = decisions;
        this.config = config;
        this.store = store;
        org.eclipse.microprofile.config.Config c = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        this.decisionService = c.getOptionalValue("quarkus.grpc.clients.decisions.host", String.class).orElse("localhost")
                + ":" + c.getOptionalValue("quarkus.grpc.clients.decisions.port", String.class).orElse("9000");
    }

    /** At start, and then every step interval: take over a continuing promotion whose process is gone. */
    void onStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event) {
        background.scheduleWithFixedDelay(this::adoptIfIdle, 0, interval(), TimeUnit.MILLISECONDS);
    }

    private long interval() {
        return Math.max(1, config.stepInterval().toMillis());
    }

    /** The lease a step renews: three step intervals (at least a second) from now, in microseconds. */
    private long leaseUntil() {
        return (System.currentTimeMillis() + Math.max(3 * interval(), 1000)) * 1000;
    }

    private void adoptIfIdle() {
        try {
            synchronized (this) {
                if (running != null) {
                    return;
                }
            }
            store.adopt(decisionService, owner, leaseUntil()).ifPresent(stored -> {
                PromotionRun run = PromotionRun.resumed(decisions, stored,
                        new SmoothingStep(stored.smoothing(), config.maxStepFraction(), config.snapTolerance()));
                LOG.infof("parameter promotion toward %s taken over after step %d (v%d): its process stopped renewing it",
                        stored.target().source(), run.steps(), run.lastVersion());
                continueInBackground(run, stored.id());
            });
        } catch (RuntimeException e) {
            LOG.warnf("looking for a promotion to take over failed (%s); the next look tries again", e.getMessage());
        }
    }

    /** One step toward the request's target, and the background steps when it asks to continue. */
    public PromoteParametersResponse promote(PromoteParametersRequest r) {
        double alpha = smoothingFactor(r.getSmoothingFactor());
        if (r.getAuthor().isBlank()) {
            throw invalid("author", "author is missing; say who promotes (a person or a program)");
        }
        if (r.getReason().isBlank()) {
            throw invalid("reason", "reason is missing; say why these parameters are promoted");
        }
        if (r.getExpectedLiveVersion() < 0) {
            throw invalid("expected_live_version", "expected_live_version is " + r.getExpectedLiveVersion()
                    + "; send the live version you read, or 0 not to check");
        }
        if (r.getDryRun() && r.getContinueUntilReached()) {
            throw invalid("continue_until_reached", "continue_until_reached with dry_run would change nothing again and"
                    + " again; send one of them");
        }
        PromotionTarget target = PromotionTarget.of(r, studies);
        stopRunning();
        PromotionGuard guard = r.getContinueUntilReached()
                ? PromotionGuard.start(config.guard(), decisions.livePerformance()) : null;
        PromotionRun run = new PromotionRun(decisions, target,
                new SmoothingStep(alpha, config.maxStepFraction(), config.snapTolerance()),
                r.getAuthor() + ": " + r.getReason(), guard);
        PromoteParametersResponse first = run.first(r.getExpectedLiveVersion(), r.getDryRun());
        if (!r.getDryRun()) {
            alert(AlertEvent.PROMOTION, run, (first.getReached() ? "reached " : "stepped toward ") + target.source(),
                    "Decision parameters v" + first.getParameterSetVersion() + " are live (from v"
                            + first.getPreviousParameterSetVersion() + "), step 1 toward " + target.source()
                            + (first.getReached() ? ", which it reached." : r.getContinueUntilReached()
                            ? "; further steps follow every " + config.stepInterval() + " under the guard." : ".")
                            + " Requested by " + r.getAuthor() + ": " + r.getReason());
        }
        if (!r.getContinueUntilReached() || first.getReached()) {
            if (!r.getDryRun()) {
                store.supersede(decisionService); // a step of its own ends a continuing promotion, as a new one does
            }
            return first;
        }
        long id = store.start(decisionService, target, alpha, r.getAuthor() + ": " + r.getReason(), guard,
                run.startVersion(), run.lastVersion(), run.steps(), owner, leaseUntil());
        continueInBackground(run, id);
        LOG.infof("parameter promotion toward %s continues every %s from v%d; guard %s", target.source(),
                config.stepInterval(), first.getParameterSetVersion(), guard.describe());
        return first.toBuilder().setContinuing(true).setGuard(guard.describe()).build();
    }

    private double smoothingFactor(double requested) {
        if (requested == 0) {
            return config.defaultSmoothingFactor();
        }
        if (!(requested > 0 && requested <= 1)) {
            throw invalid("smoothing_factor", "smoothing_factor is " + requested + "; send a share of the gap in (0, 1],"
                    + " or 0 for the default " + config.defaultSmoothingFactor());
        }
        if (requested > config.maxSmoothingFactor()) {
            throw invalid("smoothing_factor", "smoothing_factor " + requested + " is above the largest allowed, "
                    + config.maxSmoothingFactor() + " (arbiter.optimizer.promotion.max-smoothing-factor); send a smaller one");
        }
        return requested;
    }

    private synchronized void continueInBackground(PromotionRun run, long id) {
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = background.scheduleWithFixedDelay(() -> {
            try {
                if (!store.renew(id, owner, leaseUntil())) {
                    LOG.infof("parameter promotion toward %s stopped here: superseded, or taken over by another process",
                            run.target().source());
                    finished(self);
                    return;
                }
                PromotionRun.Next next = run.next();
                store.record(id, owner, run.lastVersion(), run.steps(),
                        next == PromotionRun.Next.STEPPED ? "RUNNING" : next.name());
                if (next != PromotionRun.Next.STEPPED) {
                    LOG.infof("parameter promotion toward %s ended: %s", run.target().source(), next);
                    ended(run, next);
                    finished(self);
                }
            } catch (RuntimeException e) {
                // PostgreSQL not answering: the next tick tries again; if it stays away, the lease runs out and the
                // promotion is taken over where it was recorded last
                LOG.warnf("parameter promotion toward %s: %s; tried again at the next step", run.target().source(), e.getMessage());
            }
        }, interval(), interval(), TimeUnit.MILLISECONDS);
        running = self[0];
    }

    /** The alert for a continuing promotion's end: reached, rolled back by the guard, or stopped. */
    private void ended(PromotionRun run, PromotionRun.Next next) {
        String where = run.target().source();
        switch (next) {
            case REACHED -> alert(AlertEvent.PROMOTION, run, "reached " + where, "Decision parameters v"
                    + run.lastVersion() + " reached " + where + " after " + run.steps() + " steps.");
            case ROLLED_BACK -> alert(AlertEvent.ROLLBACK, run, "rolled back from " + where, "The guard saw live"
                    + " performance fall after step " + run.steps() + " toward " + where + "; the parameters of v"
                    + run.startVersion() + " are live again (see the log for the breach).");
            default -> alert(AlertEvent.PROMOTION, run, "stopped toward " + where, "The promotion toward " + where
                    + " stopped after step " + run.steps() + " (decision-service refused or someone else changed the"
                    + " live version); v" + run.lastVersion() + " stays live, nothing was rolled back.");
        }
    }

    private void alert(AlertEvent event, PromotionRun run, String title, String text) {
        alerts.send(new Alert(event, "parameters " + title, "parameters " + title, text));
    }

    private synchronized void finished(ScheduledFuture<?>[] self) {
        ScheduledFuture<?> done = self[0];
        done.cancel(false);
        if (running == done) {
            running = null;
        }
    }

    private synchronized void stopRunning() {
        if (running != null) {
            running.cancel(false);
            running = null;
            LOG.info("parameter promotion running in the background stopped by a new PromoteParameters call");
        }
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
    }
}
