package dev.arbiter.optimizer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Studies shared through PostgreSQL ({@code arbiter.optimizer.studies.*}). */
@ConfigMapping(prefix = "arbiter.optimizer.studies")
public interface StudyConfig {

    /**
     * A RUNNING trial whose worker has shown no sign of life (Ask, ReportIntermediate, or the heartbeat RunTrials
     * sends) for this long is marked FAIL, so a worker that died does not hold the study up. Ask/tell clients whose
     * evaluation takes longer must report an intermediate value within it.
     */
    @WithDefault("10m")
    Duration heartbeatTimeout();

    /** How often RunTrials' workers refresh the heartbeat of the trials they run. */
    @WithDefault("10s")
    Duration heartbeatInterval();

    /** How often this process looks for RUNNING trials whose heartbeat has timed out; 0 = only when asked. */
    @WithDefault("5s")
    Duration staleCheckInterval();

    /** Longest study name. */
    @WithDefault("128")
    int maxNameLength();

    /** Most trials one RunTrials call may ask for. */
    @WithDefault("1000000")
    int maxTrialsPerRun();

    /** Most trials one RunTrials call runs at once (its parallelism). */
    @WithDefault("8")
    int maxParallelism();

    /**
     * Trials a RunTrials worker asks for, and tells, in one transaction: more makes fewer commits per trial (the
     * commits are what a policy-only trial costs), fewer lets the sampler learn from every trial before the next.
     */
    @WithDefault("4")
    int trialsPerTransaction();

    /**
     * Walk-forward preparations (members retrained and test windows predicted in every fold) a RunTrials call keeps
     * when its search space tunes member hyperparameters ({@code members[i].name}): one per distinct assignment, the
     * most recently used kept. Each holds the test windows' predictions and features.
     */
    @WithDefault("8")
    int memberPreparations();
}
