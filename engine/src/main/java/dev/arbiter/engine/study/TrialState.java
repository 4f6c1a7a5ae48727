package dev.arbiter.engine.study;

/** The life of a trial, as Optuna's TrialState (WAITING is not needed here). */
public enum TrialState {
    RUNNING,
    COMPLETE,
    PRUNED,
    FAIL;

    public boolean finished() {
        return this != RUNNING;
    }
}
