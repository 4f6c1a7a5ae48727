-- Shadow runs (StartShadowRun): a rule set version evaluated beside the live rules on every live-policy decision,
-- without acting. At most one runs at a time (stopped_ts_micros IS NULL), over every replica.
-- Expand only: a new table and new nullable columns, so a replica of the previous version keeps inserting decisions
-- (their shadow columns stay NULL) during a rolling upgrade.
CREATE TABLE shadow_run (
    shadow_id         text    PRIMARY KEY,
    rule_set_version  integer NOT NULL REFERENCES rule_set (version),
    author            text    NOT NULL,
    reason            text    NOT NULL,
    started_ts_micros bigint  NOT NULL,
    stopped_ts_micros bigint,
    stop_author       text,
    stop_reason       text
);
CREATE UNIQUE INDEX shadow_run_one_running ON shadow_run ((true)) WHERE stopped_ts_micros IS NULL;

-- The shadow result of a decision (the whole ShadowDecision is in the decision bytes): the run, and the position
-- the shadow rule set would have taken, so GetShadowRun compares in SQL without decoding.
ALTER TABLE decision ADD COLUMN shadow_id text;
ALTER TABLE decision ADD COLUMN shadow_direction smallint;
ALTER TABLE decision ADD COLUMN shadow_size double precision;
CREATE INDEX decision_shadow ON decision (shadow_id) WHERE shadow_id IS NOT NULL;
