-- Backtest and stress reports. The report itself is stored as its protobuf encoding (arbiter.v1.BacktestReport or
-- StressReport), so GetBacktestReport answers exactly what RunBacktest sent. A backtest also keeps the per-decision
-- pnl of its full policy over the concatenated test windows (float64 little-endian), which stress tests resample.
CREATE TABLE report (
    report_id          text PRIMARY KEY,               -- a random UUID
    kind               text    NOT NULL,               -- BACKTEST or STRESS
    name               text    NOT NULL,               -- BacktestSpec.name (of the backtest resampled, for stress)
    study_name         text    NOT NULL DEFAULT '',    -- the study, when run for a trial
    backtest_report_id text    NOT NULL DEFAULT '',    -- for STRESS: the backtest resampled
    created_ts_micros  bigint  NOT NULL,
    report             bytea   NOT NULL,
    decision_pnl       bytea                           -- BACKTEST only
);

CREATE INDEX report_newest ON report (created_ts_micros DESC, report_id DESC);
CREATE INDEX report_kind_newest ON report (kind, created_ts_micros DESC, report_id DESC);
