package dev.arbiter.optimizer.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Training jobs and the calls they make to model-service ({@code arbiter.optimizer.training.*}). */
public interface TrainingConfig {

    /** Jobs trained at once by this process; more wait QUEUED. Each XGBoost job uses its "threads" hyperparameter. */
    @WithDefault("1")
    int maxConcurrentJobs();

    /** Deadline of one model-service call (ListModelVersions, one PredictBatch of the champion). */
    @WithDefault("30s")
    Duration modelServiceDeadline();

    /** Deadline of one UploadModel stream, which model-service answers after it has loaded and checked the model. */
    @WithDefault("120s")
    Duration uploadDeadline();

    /** Rows per PredictBatch when the champion is scored on the validation window (model-service allows 10,000). */
    @WithDefault("2000")
    int championBatchRows();

    /**
     * How much lower than the champion's a challenger's validation Brier score must be for IF_BETTER to register it
     * (for IF_SIGNIFICANTLY_BETTER, how far below 0 the upper end of the difference's interval must be):
     * more than the float32 rounding between in-process and served predictions, so a retrain of the same model does
     * not count as better.
     */
    @WithDefault("1e-6")
    double minBrierImprovement();

    /** Bytes per UploadModel chunk (model-service accepts at most 1 MiB). */
    @WithDefault("262144")
    int uploadChunkBytes();

    /** How long CancelTrainingJob waits for a running job of this process to stop before answering its state. */
    @WithDefault("10s")
    Duration cancelWait();

    /**
     * A QUEUED or RUNNING job whose state or progress has not changed for this long is taken as orphaned by a
     * process that stopped, and marked FAILED when this process starts.
     */
    @WithDefault("30m")
    Duration orphanedAfter();
}
