package dev.arbiter.engine.study;

/** Optuna's MedianPruner: the {@link PercentilePruner} at the 50th percentile. */
public final class MedianPruner extends PercentilePruner {

    public MedianPruner(int nStartupTrials, int nWarmupSteps, int intervalSteps, int nMinTrials) {
        super(50.0, nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials);
    }

    /** Optuna's defaults: 5 startup trials, no warm-up, every step, one trial. */
    public MedianPruner() {
        this(5, 0, 1, 1);
    }
}
