package dev.arbiter.optimizer.promotion;

import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PromoteParametersResponse;
import dev.arbiter.service.RequestRefused;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One promotion toward one target: its first step, and, when it continues, each further step after the guard has
 * looked at live performance, or the rollback to the version live before the promotion began. Plain Java over
 * {@link DecisionParameters}, so a test drives it with a double.
 */
public final class PromotionRun {

    /** What a further step did. */
    public enum Next {
        /** Stepped; more steps to go. */
        STEPPED,
        /** Stepped and reached the target (or was already there). */
        REACHED,
        /** The guard saw live performance fall: rolled back to the version live before the promotion. */
        ROLLED_BACK,
        /** A call failed or someone else changed the live version: stopped, nothing rolled back. */
        STOPPED
    }

    private static final Logger LOG = Logger.getLogger(PromotionRun.class);

    private final DecisionParameters decisions;
    private final PromotionTarget target;
    private final SmoothingStep smoothing;
    private final String requestedBy;
    private final PromotionGuard guard;
    private int startVersion;
    private int lastVersion;
    private int steps;

    /** {@code requestedBy}: the request's author and reason; {@code guard} may be null for a single step. */
    public PromotionRun(DecisionParameters decisions, PromotionTarget target, SmoothingStep smoothing, String requestedBy,
                        PromotionGuard guard) {
        this.decisions = decisions;
        this.target = target;
        this.smoothing = smoothing;
        this.requestedBy = requestedBy;
        this.guard = guard;
    }

    /**
     * A stored promotion taken over from a process that is gone: it goes on from the step it recorded last. If that
     * process made one more step and died before recording it, the live set is that step (by optimizer-service, with
     * this promotion's reason and the next step number), and the run goes on from it.
     */
    public static PromotionRun resumed(DecisionParameters decisions, PromotionStore.Stored stored, SmoothingStep smoothing) {
        PromotionRun run = new PromotionRun(decisions, stored.target(), smoothing, stored.requestedBy(), stored.guard());
        run.startVersion = stored.startVersion();
        run.lastVersion = stored.lastVersion();
        run.steps = stored.steps();
        try {
            ParameterSet live = decisions.live();
            String unrecorded = stored.requestedBy() + "; promotion step " + (stored.steps() + 1) + " toward "
                    + stored.target().source() + " ";
            if (live.getVersion() > run.lastVersion && DecisionParameters.AUTHOR.equals(live.getAuthor())
                    && live.getReason().startsWith(unrecorded)) {
                run.lastVersion = live.getVersion();
                run.steps++;
            }
        } catch (RequestRefused e) {
            // decision-service does not answer now: the next step finds out again
        }
        return run;
    }

    /** The first step, from the live set; {@code expectedLiveVersion} > 0 must still be live. */
    public PromoteParametersResponse first(int expectedLiveVersion, boolean dryRun) {
        PromoteParametersResponse r = step(expectedLiveVersion, dryRun);
        startVersion = r.getPreviousParameterSetVersion();
        return r;
    }

    /** Before a further step: the guard, then the step, or the rollback. Never throws. */
    public Next next() {
        try {
            Optional<String> breach = guard == null ? Optional.empty() : guard.breach(decisions.livePerformance());
            if (breach.isPresent()) {
                String reason = requestedBy + "; promotion toward " + target.source() + " stopped by the guard after step "
                        + steps + ": " + breach.get() + "; back to version " + startVersion;
                ParameterSet back = decisions.rollback(startVersion, reason);
                LOG.warnf("parameter promotion rolled back to v%d as v%d: %s", startVersion, back.getVersion(), reason);
                return Next.ROLLED_BACK;
            }
            PromoteParametersResponse r = step(lastVersion, false);
            return r.getReached() ? Next.REACHED : Next.STEPPED;
        } catch (RequestRefused e) {
            LOG.warnf("parameter promotion toward %s stopped after step %d (%s %s: %s); nothing rolled back",
                    target.source(), steps, e.code(), e.field(), e.getMessage());
            return Next.STOPPED;
        }
    }

    /** The version the last step made. */
    public int lastVersion() {
        return lastVersion;
    }

    /** Steps made so far. */
    public int steps() {
        return steps;
    }

    /** The version that was live before the promotion began. */
    public int startVersion() {
        return startVersion;
    }

    public PromotionTarget target() {
        return target;
    }

    private PromoteParametersResponse step(int expectedLiveVersion, boolean dryRun) {
        ParameterSet live = decisions.live();
        if (expectedLiveVersion > 0 && expectedLiveVersion != live.getVersion()) {
            throw precondition("expected_live_version", "expected_live_version is " + expectedLiveVersion
                    + " but decision-service's live parameter set is version " + live.getVersion()
                    + "; read it (GetParameterSet) and promote from there, or send 0 not to check");
        }
        Map<String, ParameterValue> changes = new LinkedHashMap<>();
        target.values().forEach((name, goal) -> {
            PolicyParameter p = PolicyParameter.byKey(name);
            double now = number(live.getValuesMap().get(name), p.defaultValue());
            double next = smoothing.next(p, now, goal);
            if (next != now) {
                changes.put(name, typed(p, next));
            }
        });
        PromoteParametersResponse.Builder r = PromoteParametersResponse.newBuilder()
                .setPreviousParameterSetVersion(live.getVersion());
        target.values().forEach((name, goal) -> r.putTarget(name, typed(PolicyParameter.byKey(name), goal)));
        ParameterSet after = live;
        if (!changes.isEmpty()) {
            steps++;
            String reason = String.format(Locale.ROOT, "%s; promotion step %d toward %s (smoothing %.3g, from version %d)",
                    requestedBy, steps, target.source(), smoothing.alpha(), live.getVersion());
            after = decisions.set(changes, reason, live.getVersion(), dryRun);
        }
        double gap = 0;
        for (Map.Entry<String, Double> e : target.values().entrySet()) {
            double applied = number(after.getValuesMap().get(e.getKey()), Double.NaN);
            r.putApplied(e.getKey(), typed(PolicyParameter.byKey(e.getKey()), applied));
            gap = Math.max(gap, SmoothingStep.relativeGap(applied, e.getValue()));
        }
        if (!dryRun) {
            lastVersion = after.getVersion();
        }
        return r.setParameterSetVersion(dryRun ? 0 : after.getVersion()).setRemainingGap(gap).setReached(gap == 0).build();
    }

    static double number(ParameterValue v, double absent) {
        if (v == null) {
            return absent;
        }
        return switch (v.getKindCase()) {
            case DOUBLE_VALUE -> v.getDoubleValue();
            case INT_VALUE -> v.getIntValue();
            default -> absent;
        };
    }

    static ParameterValue typed(PolicyParameter p, double v) {
        return p.integer() ? ParameterValue.newBuilder().setIntValue(Math.round(v)).build()
                : ParameterValue.newBuilder().setDoubleValue(v).build();
    }
}
