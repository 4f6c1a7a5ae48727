-- Retrainings (Retrain, the cron, the drift trigger): what started each, the training job, and the ramp of a
-- registered challenger into its ensemble. The process that steps a ramp holds a lease it renews at every step; a
-- RAMPING retraining whose lease ran out is stepped by the next process that looks (retraining/RampRunner).
CREATE TABLE retraining (
    retraining_id       bigserial PRIMARY KEY,
    model_name          text    NOT NULL,
    ensemble_name       text    NOT NULL,
    trigger             text    NOT NULL CHECK (trigger IN ('MANUAL', 'SCHEDULE', 'DRIFT')),
    -- SCHEDULE and DRIFT: "schedule:<model>:<fire time>" or "drift:<model>:<version>:<reference generation>", so that
    -- of several replicas seeing the same firing or drift exactly one retrains; null for MANUAL
    trigger_key         text    UNIQUE,
    reason              text    NOT NULL,
    state               text    NOT NULL
        CHECK (state IN ('TRAINING', 'RAMPING', 'REPLACED', 'NOT_REPLACED', 'ROLLED_BACK', 'FAILED', 'STOPPED')),
    champion_version    integer NOT NULL,
    challenger_version  integer,                      -- null until registered
    job_id              text,                         -- the training job, once started
    training_result     bytea,                        -- arbiter.v1.TrainingResult, once trained
    outcome             text    NOT NULL DEFAULT '',  -- why it ended as it did
    next_step_micros    bigint  NOT NULL DEFAULT 0,   -- RAMPING: when the next step is due
    owner               text,                         -- the process stepping it
    lease_until_micros  bigint  NOT NULL DEFAULT 0,
    created_ts_micros   bigint  NOT NULL,
    updated_ts_micros   bigint  NOT NULL
);

-- At most one retraining of a model is under way: a second Retrain is refused, a trigger skips the model.
CREATE UNIQUE INDEX retraining_one_under_way ON retraining (model_name) WHERE state IN ('TRAINING', 'RAMPING');
CREATE INDEX retraining_newest ON retraining (model_name, retraining_id DESC);

-- The ramp's audit trail: one row per step, with the weights read before it.
CREATE TABLE retraining_step (
    retraining_id       bigint           NOT NULL REFERENCES retraining (retraining_id),
    step                integer          NOT NULL,
    action              text             NOT NULL CHECK (action IN ('JOINED', 'RAISED', 'REPLACED', 'ROLLED_BACK', 'STOPPED')),
    max_weight          double precision NOT NULL,
    challenger_weight   double precision NOT NULL,
    challenger_score    double precision NOT NULL,
    champion_score      double precision NOT NULL,
    challenger_outcomes bigint           NOT NULL,
    ensemble_revision   integer          NOT NULL,
    note                text             NOT NULL,
    ts_micros           bigint           NOT NULL,
    PRIMARY KEY (retraining_id, step)
);
