package dev.arbiter.engine.study;

/**
 * Decides whether a running trial should stop, from its intermediate values (one per step, e.g. one per walk-forward
 * fold) and the study's other trials. Call it after each reported step, as Optuna's trial.should_prune().
 */
public interface Pruner {

    boolean shouldPrune(StudyView study, Trial trial);
}
