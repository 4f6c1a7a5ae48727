package dev.arbiter.optimizer.retraining;

import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.RetrainingAction;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the next step of a ramp does, and the ensemble it leaves: pure functions of the steps done, the configured caps,
 * the weights read and the ensemble's definition, so {@link RampRunner} only reads, applies and records.
 *
 * <p>Step 1 joins the challenger at the first cap. Each later step first asks the guard: once the challenger has
 * {@code minOutcomes} outcomes, a score below the champion's by more than {@code margin} rolls it back. Otherwise the
 * cap rises to the next configured one, and after the last the challenger replaces the champion, uncapped.
 */
public final class RampPlan {

    /** The next step: its action, the challenger's cap after it (0 = none) and a line for the audit trail. */
    public record Step(RetrainingAction action, double cap, String note) {}

    private final List<Double> caps;
    private final long minOutcomes;
    private final double margin;

    public RampPlan(List<Double> caps, long minOutcomes, double margin) {
        if (caps.isEmpty()) {
            throw new IllegalArgumentException("arbiter.optimizer.retraining.ramp-steps is empty; give at least one cap");
        }
        double last = 0;
        for (double c : caps) {
            if (!(c > last && c < 1)) {
                throw new IllegalArgumentException("arbiter.optimizer.retraining.ramp-steps " + caps
                        + ": each cap in (0, 1) and above the one before");
            }
            last = c;
        }
        this.caps = List.copyOf(caps);
        this.minOutcomes = minOutcomes;
        this.margin = margin;
    }

    /**
     * The step after {@code done} steps, given the scores read now (MemberWeight.score) and the challenger's outcomes.
     */
    public Step next(int done, double challengerScore, double championScore, long challengerOutcomes) {
        if (done == 0) {
            return new Step(RetrainingAction.RETRAINING_ACTION_JOINED, caps.get(0), "joined the ensemble capped at "
                    + pct(caps.get(0)));
        }
        if (challengerOutcomes >= minOutcomes && challengerScore < championScore - margin) {
            return new Step(RetrainingAction.RETRAINING_ACTION_ROLLED_BACK, 0, String.format(Locale.ROOT,
                    "guard: after %d outcomes the challenger's score %.4f is below the champion's %.4f by more than %.4f;"
                            + " it leaves the ensemble", challengerOutcomes, challengerScore, championScore, margin));
        }
        String scores = challengerOutcomes >= minOutcomes
                ? String.format(Locale.ROOT, " (scores %.4f vs the champion's %.4f after %d outcomes)", challengerScore,
                championScore, challengerOutcomes)
                : String.format(Locale.ROOT, " (%d outcomes, fewer than the guard's %d)", challengerOutcomes, minOutcomes);
        if (done < caps.size()) {
            return new Step(RetrainingAction.RETRAINING_ACTION_RAISED, caps.get(done), "cap raised to "
                    + pct(caps.get(done)) + scores);
        }
        return new Step(RetrainingAction.RETRAINING_ACTION_REPLACED, 0, "replaced the champion, uncapped" + scores);
    }

    /** The ensemble with the challenger added at {@code cap}, starting from {@code initialWeight} (0 = equal share). */
    public static EnsembleDefinition join(EnsembleDefinition e, ModelVersionRef challenger, double cap, double initialWeight) {
        return e.toBuilder().addMembers(EnsembleMember.newBuilder().setModelName(challenger.getModelName())
                .setVersion(challenger.getVersion()).setInitialWeight(initialWeight).setMaxWeight(cap)).build();
    }

    /** The ensemble with the challenger's cap set; empty when it is no longer a member. */
    public static Optional<EnsembleDefinition> capped(EnsembleDefinition e, ModelVersionRef challenger, double cap) {
        int i = indexOf(e, challenger);
        return i < 0 ? Optional.empty()
                : Optional.of(e.toBuilder().setMembers(i, e.getMembers(i).toBuilder().setMaxWeight(cap)).build());
    }

    /** The ensemble with the champion gone and the challenger uncapped; empty when either is no longer a member. */
    public static Optional<EnsembleDefinition> replaced(EnsembleDefinition e, ModelVersionRef champion, ModelVersionRef challenger) {
        int c = indexOf(e, champion);
        if (c < 0 || indexOf(e, challenger) < 0) {
            return Optional.empty();
        }
        EnsembleDefinition uncapped = capped(e, challenger, 0).orElseThrow();
        return Optional.of(uncapped.toBuilder().removeMembers(c).build());
    }

    /** The ensemble without the challenger; empty when it is not a member. */
    public static Optional<EnsembleDefinition> without(EnsembleDefinition e, ModelVersionRef challenger) {
        int i = indexOf(e, challenger);
        return i < 0 ? Optional.empty() : Optional.of(e.toBuilder().removeMembers(i).build());
    }

    /** The member's position, or -1. */
    public static int indexOf(EnsembleDefinition e, ModelVersionRef v) {
        for (int i = 0; i < e.getMembersCount(); i++) {
            EnsembleMember m = e.getMembers(i);
            if (m.getModelName().equals(v.getModelName()) && m.getVersion() == v.getVersion()) {
                return i;
            }
        }
        return -1;
    }

    private static String pct(double cap) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * cap);
    }
}
