-- A promotion that continues until reached (PromoteParameters with continue_until_reached), kept so that it survives
-- a restart of the optimizer-service process that runs it: the process that runs it holds a lease it renews at every
-- step; a RUNNING promotion whose lease has run out is adopted by the next process that looks (ParameterPromotion).
-- At most one is RUNNING: a new continuing promotion supersedes it, wherever it runs.
CREATE TABLE promotion (
    promotion_id           bigserial PRIMARY KEY,
    decision_service       text             NOT NULL,  -- the decision-service it promotes into (host:port as configured)
    source                 text             NOT NULL,  -- "given values" or 'study "s" trial n'
    target                 text             NOT NULL,  -- one "name=value" a line, values as Java's Double.toString
    smoothing              double precision NOT NULL,
    requested_by           text             NOT NULL,  -- "<author>: <reason>" of the request
    guard_metric           text             NOT NULL,
    guard_margin           double precision NOT NULL,
    guard_min_settled      bigint           NOT NULL,
    guard_baseline         double precision NOT NULL,
    guard_baseline_settled bigint           NOT NULL,
    start_version          integer          NOT NULL,  -- live before the promotion: where a rollback goes
    last_version           integer          NOT NULL,  -- the version its last step made
    steps                  integer          NOT NULL,
    state                  text             NOT NULL
        CHECK (state IN ('RUNNING', 'REACHED', 'ROLLED_BACK', 'STOPPED', 'SUPERSEDED')),
    owner                  text             NOT NULL,  -- the process running it
    lease_until_micros     bigint           NOT NULL,
    updated_ts_micros      bigint           NOT NULL
);

CREATE INDEX promotion_running ON promotion (lease_until_micros) WHERE state = 'RUNNING';
