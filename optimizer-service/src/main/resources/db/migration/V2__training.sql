-- Training jobs: what was asked, where it got to, and how it ended. The messages are stored as their
-- protobuf encoding (arbiter.v1.TrainingSpec, TrainingProgress, TrainingResult) so that GetTrainingJob answers
-- exactly what was sent and every field added to them later is kept without a migration.
CREATE TABLE training_job (
    job_id             text PRIMARY KEY,                 -- a random UUID
    model_name         text    NOT NULL,                 -- spec.model_name, for filtering
    state              text    NOT NULL,                 -- QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED
    spec               bytea   NOT NULL,                 -- TrainingSpec
    latest_progress    bytea,                            -- TrainingProgress, the latest reported
    result             bytea,                            -- TrainingResult, once finished
    cancel_requested   boolean NOT NULL DEFAULT false,   -- set by CancelTrainingJob; the runner stops at its next check
    created_ts_micros  bigint  NOT NULL,
    updated_ts_micros  bigint  NOT NULL,                 -- last state or progress change: a running job's heartbeat
    finished_ts_micros bigint  NOT NULL DEFAULT 0        -- 0 while queued or running
);

-- ListTrainingJobs pages newest first, optionally by state or model.
CREATE INDEX training_job_newest ON training_job (created_ts_micros DESC, job_id DESC);
CREATE INDEX training_job_model ON training_job (model_name, created_ts_micros DESC, job_id DESC);
