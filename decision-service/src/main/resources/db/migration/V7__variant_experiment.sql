-- The A/B experiment the variants belong to: its assignment salt and when it started (policy/LivePolicy.assign, the A/B
-- readout). One row. The empty salt keeps the assignment of variants set before this table: series_id hashed alone.
-- Expand only: a new table; a replica of the previous version never reads it and assigns as before, which is what the
-- empty salt means.
CREATE TABLE variant_experiment (
    id                 smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    salt               text     NOT NULL,
    started_ts_micros  bigint   NOT NULL
);
INSERT INTO variant_experiment (id, salt, started_ts_micros) VALUES (1, '', 0);
