package dev.arbiter.optimizer.promotion;

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
 * continue_until_reached, schedules the further steps every {@code step-interval} on one background thread. One
 * background promotion per process: a new call stops the one running.
 */
@ApplicationScoped
public class ParameterPromotion {

    private static final Logger LOG = Logger.getLogger(ParameterPromotion.class);

    private final StudyService studies;
    private final DecisionParameters decisions;
    private final PromotionConfig config;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parameter-promotion");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> running;

    public ParameterPromotion(StudyService studies, DecisionParametersClient decisions, PromotionConfig config) {
        this.studies = studies;
        this.decisions = decisions;
        this.config = config;
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
        if (!r.getContinueUntilReached() || first.getReached()) {
            return first;
        }
        continueInBackground(run);
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

    private synchronized void continueInBackground(PromotionRun run) {
        long every = Math.max(1, config.stepInterval().toMillis());
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = background.scheduleWithFixedDelay(() -> {
            PromotionRun.Next next = run.next();
            if (next != PromotionRun.Next.STEPPED) {
                LOG.infof("parameter promotion toward %s ended: %s", run.target().source(), next);
                finished(self);
            }
        }, every, every, TimeUnit.MILLISECONDS);
        running = self[0];
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
