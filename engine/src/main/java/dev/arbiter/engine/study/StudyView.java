package dev.arbiter.engine.study;

import java.util.List;
import java.util.Optional;

/** What a pruner reads of a study: its directions and its trials (any states, any order). */
public interface StudyView {

    List<Direction> directions();

    List<Trial> trials();

    /** The direction of a single-objective study. */
    default Direction direction() {
        if (directions().size() != 1) {
            throw new IllegalStateException("the study has " + directions().size() + " objectives; pruners need one");
        }
        return directions().get(0);
    }

    /** The best COMPLETE trial (the first of equals), as Optuna's best_trial. */
    default Optional<Trial> bestTrial() {
        double sign = direction().lossSign();
        Trial best = null;
        for (Trial t : trials()) {
            if (t.state() == TrialState.COMPLETE
                    && (best == null || sign * t.value() < sign * best.value()
                    || (t.value() == best.value() && t.number() < best.number()))) {
                best = t;
            }
        }
        return Optional.ofNullable(best);
    }

    static StudyView of(Direction direction, List<Trial> trials) {
        return new Snapshot(List.of(direction), List.copyOf(trials));
    }

    /** An immutable view. */
    record Snapshot(List<Direction> directions, List<Trial> trials) implements StudyView {
    }
}
