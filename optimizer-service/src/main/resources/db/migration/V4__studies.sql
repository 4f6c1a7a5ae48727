-- Studies and their trials (Optuna's terms), shared by every optimizer-service process that reaches this database.
-- A study's definition is stored as its protobuf encoding (arbiter.v1.Study with the fields CreateStudy takes), a
-- trial as columns that the concurrent paths read and lock, plus its parameters as protobuf.
CREATE TABLE study (
    study_id          bigserial PRIMARY KEY,
    name              text    NOT NULL UNIQUE,
    definition        bytea   NOT NULL,
    created_ts_micros bigint  NOT NULL,
    -- Ask takes the next number with UPDATE ... RETURNING under the row lock: numbers are unique and dense.
    next_trial_number integer NOT NULL DEFAULT 0
);

CREATE TABLE trial (
    study_id            bigint  NOT NULL REFERENCES study (study_id) ON DELETE CASCADE,
    number              integer NOT NULL,
    state               text    NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL')),
    params              bytea   NOT NULL,               -- arbiter.v1.Trial with only params set
    vals                double precision[],             -- objective values, COMPLETE only
    started_ts_micros   bigint  NOT NULL,
    completed_ts_micros bigint  NOT NULL DEFAULT 0,
    heartbeat_ts_micros bigint  NOT NULL,               -- last sign of life of a RUNNING trial's worker
    worker              text    NOT NULL DEFAULT '',     -- who asked: host and process, for the operators
    fail_reason         text    NOT NULL DEFAULT '',
    user_attrs          bytea,                          -- arbiter.v1.Trial with only user_attrs set
    backtest_report_id  text    NOT NULL DEFAULT '',
    -- Increases with every finish, over all studies: a process reads the trials finished since it last looked,
    -- so its sampler learns incrementally instead of reading the whole study on every Ask.
    finish_seq          bigint,
    PRIMARY KEY (study_id, number)
);
CREATE SEQUENCE trial_finish_seq;
CREATE INDEX trial_running ON trial (study_id, heartbeat_ts_micros) WHERE state = 'RUNNING';
CREATE INDEX trial_finished ON trial (study_id, finish_seq) WHERE finish_seq IS NOT NULL;

CREATE TABLE trial_intermediate (
    study_id bigint  NOT NULL,
    number   integer NOT NULL,
    step     bigint  NOT NULL,
    val      double precision NOT NULL,
    PRIMARY KEY (study_id, number, step),
    FOREIGN KEY (study_id, number) REFERENCES trial (study_id, number) ON DELETE CASCADE
);
