package dev.arbiter.engine.study;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Optuna's PercentilePruner: prunes when the trial's best intermediate value so far is worse than the given
 * percentile of the COMPLETE trials' values at the same step. Not before {@code nStartupTrials} trials completed, not
 * before step {@code nWarmupSteps}, only at the first report within each {@code intervalSteps} window, and only when
 * at least {@code nMinTrials} complete trials reported that step. A trial whose values are all NaN is pruned.
 */
public class PercentilePruner implements Pruner {

    private final double percentile;
    private final int nStartupTrials;
    private final int nWarmupSteps;
    private final int intervalSteps;
    private final int nMinTrials;

    public PercentilePruner(double percentile, int nStartupTrials, int nWarmupSteps, int intervalSteps,
                            int nMinTrials) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile is " + percentile + "; pass a value in [0, 100]");
        }
        if (nStartupTrials < 0) {
            throw new IllegalArgumentException("nStartupTrials is " + nStartupTrials + "; pass 0 or more");
        }
        if (nWarmupSteps < 0) {
            throw new IllegalArgumentException("nWarmupSteps is " + nWarmupSteps + "; pass 0 or more");
        }
        if (intervalSteps < 1) {
            throw new IllegalArgumentException("intervalSteps is " + intervalSteps + "; pass 1 or more");
        }
        if (nMinTrials < 1) {
            throw new IllegalArgumentException("nMinTrials is " + nMinTrials + "; pass 1 or more");
        }
        this.percentile = percentile;
        this.nStartupTrials = nStartupTrials;
        this.nWarmupSteps = nWarmupSteps;
        this.intervalSteps = intervalSteps;
        this.nMinTrials = nMinTrials;
    }

    /** Optuna's defaults: 5 startup trials, no warm-up, every step, one trial. */
    public PercentilePruner(double percentile) {
        this(percentile, 5, 0, 1, 1);
    }

    @Override
    public boolean shouldPrune(StudyView study, Trial trial) {
        List<Trial> complete = new ArrayList<>();
        for (Trial t : study.trials()) {
            if (t.state() == TrialState.COMPLETE) {
                complete.add(t);
            }
        }
        if (complete.isEmpty() || complete.size() < nStartupTrials) {
            return false;
        }
        int step = trial.lastStep();
        if (step < 0 || step < nWarmupSteps || !firstInInterval(step, trial)) {
            return false;
        }
        Direction direction = study.direction();
        double best = bestOverSteps(trial, direction);
        if (Double.isNaN(best)) {
            return true;
        }
        List<Double> atStep = new ArrayList<>();
        for (Trial t : complete) {
            Double v = t.intermediateValues().get(step);
            if (v != null) {
                atStep.add(v);
            }
        }
        if (atStep.size() < nMinTrials) {
            return false;
        }
        double p = nanPercentile(atStep, direction == Direction.MAXIMIZE ? 100 - percentile : percentile);
        if (Double.isNaN(p)) {
            return false;
        }
        return direction == Direction.MAXIMIZE ? best < p : best > p;
    }

    private boolean firstInInterval(int step, Trial trial) {
        int nearestLowerPruningStep = Math.floorDiv(step - nWarmupSteps, intervalSteps) * intervalSteps + nWarmupSteps;
        int secondLast = -1;
        for (int s : trial.intermediateValues().keySet()) {
            if (s > secondLast && s != step) {
                secondLast = s;
            }
        }
        return secondLast < nearestLowerPruningStep;
    }

    private static double bestOverSteps(Trial trial, Direction direction) {
        double best = Double.NaN;
        for (double v : trial.intermediateValues().values()) {
            if (!Double.isNaN(v) && (Double.isNaN(best) || (direction == Direction.MAXIMIZE ? v > best : v < best))) {
                best = v;
            }
        }
        return best;
    }

    /** numpy's nanpercentile with linear interpolation. */
    static double nanPercentile(List<Double> values, double q) {
        List<Double> v = new ArrayList<>();
        for (double x : values) {
            if (!Double.isNaN(x)) {
                v.add(x);
            }
        }
        if (v.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(v);
        double index = q / 100 * (v.size() - 1);
        int lo = (int) Math.floor(index);
        int hi = Math.min(lo + 1, v.size() - 1);
        double frac = index - lo;
        return v.get(lo) + (v.get(hi) - v.get(lo)) * frac;
    }
}
