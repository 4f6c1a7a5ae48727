package dev.arbiter.engine.study;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;

/**
 * Optuna's SuccessiveHalvingPruner (asynchronous successive halving). Rung k is reached at step
 * {@code minResource * reductionFactor^(minEarlyStoppingRate + k)}; a trial reaching a rung is kept only if its value
 * there is within the best 1 / reductionFactor of the values that every trial reached that rung with (the best of
 * them while fewer than reductionFactor trials are there). A NaN at a rung prunes.
 *
 * <p>Optuna stores each trial's rung values as trial attributes written by the pruner. This one derives them from
 * the intermediate values instead (a trial's value at rung k is its value at its first reported step at or after
 * the rung's step), so it needs no state of its own beyond the estimated minimum resource and survives a service
 * restart; called after every report, as Optuna expects, it sees the same values. {@code minResource} 0 means
 * "auto": the largest last step of the complete trials divided by 100 (at least 1), estimated once as Optuna does.
 */
public final class SuccessiveHalvingPruner implements Pruner {

    private int minResource;
    private final int reductionFactor;
    private final int minEarlyStoppingRate;
    private final int bootstrapCount;

    public SuccessiveHalvingPruner(int minResource, int reductionFactor, int minEarlyStoppingRate,
                                   int bootstrapCount) {
        if (minResource < 0) {
            throw new IllegalArgumentException("minResource is " + minResource + "; pass 1 or more, or 0 for auto");
        }
        if (reductionFactor < 2) {
            throw new IllegalArgumentException("reductionFactor is " + reductionFactor + "; pass 2 or more");
        }
        if (minEarlyStoppingRate < 0) {
            throw new IllegalArgumentException("minEarlyStoppingRate is " + minEarlyStoppingRate + "; pass 0 or more");
        }
        if (bootstrapCount < 0) {
            throw new IllegalArgumentException("bootstrapCount is " + bootstrapCount + "; pass 0 or more");
        }
        if (bootstrapCount > 0 && minResource == 0) {
            throw new IllegalArgumentException("bootstrapCount > 0 needs an explicit minResource; pass minResource >= 1");
        }
        this.minResource = minResource;
        this.reductionFactor = reductionFactor;
        this.minEarlyStoppingRate = minEarlyStoppingRate;
        this.bootstrapCount = bootstrapCount;
    }

    /** Optuna's defaults: automatic minimum resource, reduction factor 4, no minimum early-stopping rate. */
    public SuccessiveHalvingPruner() {
        this(0, 4, 0, 0);
    }

    @Override
    public boolean shouldPrune(StudyView study, Trial trial) {
        int step = trial.lastStep();
        if (step < 0) {
            return false;
        }
        if (minResource == 0) {
            int last = -1;
            for (Trial t : study.trials()) {
                if (t.state() == TrialState.COMPLETE) {
                    last = Math.max(last, t.lastStep());
                }
            }
            if (last < 0) {
                return false;
            }
            minResource = Math.max(last / 100, 1);
        }
        double value = trial.intermediateValues().get(step);
        int rung = 0;
        while (rungValue(trial.intermediateValues().headMap(step, false), rung) != null) {
            rung++;
        }
        while (true) {
            long promotionStep = promotionStep(rung);
            if (step < promotionStep) {
                return false;
            }
            if (Double.isNaN(value)) {
                return true;
            }
            List<Double> competing = new ArrayList<>();
            for (Trial t : study.trials()) {
                if (t.number() != trial.number()) {
                    Double v = rungValue(t.intermediateValues(), rung);
                    if (v != null) {
                        competing.add(v);
                    }
                }
            }
            competing.add(value);
            if (competing.size() <= bootstrapCount || !promotable(value, competing, study.direction())) {
                return true;
            }
            rung++;
        }
    }

    private long promotionStep(int rung) {
        return minResource * (long) Math.pow(reductionFactor, minEarlyStoppingRate + rung);
    }

    /** The value at the first reported step at or after rung {@code rung}'s step, or null. */
    private Double rungValue(NavigableMap<Integer, Double> values, int rung) {
        long promotion = promotionStep(rung);
        var e = promotion > Integer.MAX_VALUE ? null : values.ceilingEntry((int) promotion);
        return e == null ? null : e.getValue();
    }

    private boolean promotable(double value, List<Double> competing, Direction direction) {
        int index = competing.size() / reductionFactor - 1;
        if (index == -1) {
            index = 0;
        }
        Collections.sort(competing);
        return direction == Direction.MAXIMIZE ? value >= competing.get(competing.size() - 1 - index)
                : value <= competing.get(index);
    }
}
