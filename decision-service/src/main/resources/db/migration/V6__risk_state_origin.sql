-- Where each Redis risk state (one per Redis key prefix) began, so that a state Redis lost can be rebuilt from this
-- log (risk/RiskStateRebuild): every decision decided since since_ts_micros counts. since_ts_micros is 0 for a state
-- adopted from a version before this table (its whole history counts).
-- Expand only: a new table; a replica of the previous version never reads it.
CREATE TABLE risk_state_origin (
    redis_prefix             text    PRIMARY KEY,
    since_ts_micros          bigint  NOT NULL,
    rebuilds                 integer NOT NULL DEFAULT 0,
    last_rebuilt_ts_micros   bigint
);
