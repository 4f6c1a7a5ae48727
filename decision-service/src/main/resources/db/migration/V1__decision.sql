-- decision-service's schema: the live policy (parameter sets, rule sets, variants, which versions are
-- live) and the decision log with outcomes. Only decision-service reads or writes these tables.

-- Immutable, numbered policy parameter sets. values: parameter name -> number, every known parameter.
CREATE TABLE parameter_set (
    version           integer PRIMARY KEY CHECK (version >= 1),
    vals              jsonb   NOT NULL,
    author            text    NOT NULL,
    reason            text    NOT NULL,
    created_ts_micros bigint  NOT NULL,
    source_version    integer NOT NULL DEFAULT 0
);

-- Immutable, numbered CEL rule sets; their rules are in rule, in evaluation order.
CREATE TABLE rule_set (
    version           integer PRIMARY KEY CHECK (version >= 1),
    author            text    NOT NULL,
    reason            text    NOT NULL,
    created_ts_micros bigint  NOT NULL,
    source_version    integer NOT NULL DEFAULT 0,
    proposal_ids      text    NOT NULL DEFAULT ''   -- comma-separated rule-service proposal ids
);

CREATE TABLE rule (
    rule_set_version integer NOT NULL REFERENCES rule_set (version),
    position         integer NOT NULL,
    rule_id          text    NOT NULL,
    expression       text    NOT NULL,
    kind             text    NOT NULL CHECK (kind IN ('GATE', 'SIZING')),
    description      text    NOT NULL DEFAULT '',
    PRIMARY KEY (rule_set_version, position),
    UNIQUE (rule_set_version, rule_id)
);

-- Every change of the live version, per kind ('parameters' or 'rules'); the live version is the newest row.
-- The history answers "the version live before the current one" for rollbacks to_version 0.
CREATE TABLE live_change (
    id               bigserial PRIMARY KEY,
    kind             text    NOT NULL CHECK (kind IN ('parameters', 'rules')),
    version          integer NOT NULL,
    changed_ts_micros bigint NOT NULL,
    author           text    NOT NULL,
    reason           text    NOT NULL
);
CREATE INDEX live_change_kind ON live_change (kind, id DESC);

-- One row per kind, locked (SELECT ... FOR UPDATE) by every change so that concurrent changes from several
-- replicas are serialised and expected_live_version checks are exact.
CREATE TABLE live_lock (
    kind text PRIMARY KEY
);
INSERT INTO live_lock (kind) VALUES ('parameters'), ('rules'), ('variants');

-- A/B variants; the rest of the traffic (1 - sum of split_fraction) uses the live policy.
-- A version 0 follows the live version.
CREATE TABLE variant (
    name                  text PRIMARY KEY,
    split_fraction        double precision NOT NULL CHECK (split_fraction >= 0 AND split_fraction <= 1),
    parameter_set_version integer NOT NULL DEFAULT 0,
    rule_set_version      integer NOT NULL DEFAULT 0,
    description           text    NOT NULL DEFAULT '',
    created_ts_micros     bigint  NOT NULL
);

-- Feature schemas seen (names in FeatureVector order), so a logged decision can be replayed after the
-- feature-service has moved on to another schema.
CREATE TABLE feature_schema (
    schema_id       text PRIMARY KEY,
    names           text[] NOT NULL,
    seen_ts_micros  bigint NOT NULL
);

-- The decision log. decision holds the logged arbiter.v1.Decision bytes (the record of truth); the other
-- columns are copies for filtering, joining outcomes and computing performance in SQL.
CREATE TABLE decision (
    decision_id            uuid PRIMARY KEY,
    series_id              text    NOT NULL,
    ts_micros              bigint  NOT NULL,
    variant                text    NOT NULL,
    direction              smallint NOT NULL,           -- +1 LONG, -1 SHORT, 0 FLAT
    size                   double precision NOT NULL,
    acted                  boolean NOT NULL,
    degraded               boolean NOT NULL,
    prediction_id          text    NOT NULL,
    has_prediction         boolean NOT NULL,
    ensemble_probability   double precision NOT NULL,
    leaning                smallint NOT NULL,           -- side the ensemble leaned to: +1, -1, 0 (none / no prediction)
    parameter_set_version  integer NOT NULL,
    rule_set_version       integer NOT NULL,
    decided_ts_micros      bigint  NOT NULL,
    gates                  text[]  NOT NULL,            -- every gate evaluated (GateResult.name)
    blocked                text[]  NOT NULL,            -- the gates that did not pass
    decision               bytea   NOT NULL,
    -- Outcome, set once by ReportOutcome.
    outcome_status         smallint,                    -- OutcomeStatus number: 1 JOINED, 3 LATE
    realised_return        double precision,
    realised_positive      boolean,
    pnl                    double precision,
    outcome_ts_micros      bigint,
    reported_ts_micros     bigint,
    -- Forwarding the outcome to model-service: 0 not needed, 1 pending (retried), 2 done, 3 dropped.
    weights_status         smallint NOT NULL DEFAULT 0,
    weights_attempts       integer  NOT NULL DEFAULT 0,
    UNIQUE (series_id, ts_micros)
);
CREATE INDEX decision_ts ON decision (ts_micros DESC, decision_id DESC);
CREATE INDEX decision_variant_ts ON decision (variant, ts_micros DESC, decision_id DESC);
CREATE INDEX decision_acted_ts ON decision (ts_micros DESC, decision_id DESC) WHERE acted;
CREATE INDEX decision_weights_pending ON decision (reported_ts_micros) WHERE weights_status = 1;
