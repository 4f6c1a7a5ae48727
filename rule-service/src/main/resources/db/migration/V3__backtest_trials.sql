-- Every proposal backtested, per backtest window (series, folds, label as text): the multiple-testing count and the
-- spread of the Sharpe ratios tried on a window come from here.
CREATE TABLE backtest_trial (
    proposal_seq bigint           NOT NULL REFERENCES proposal (seq),
    window_text  text             NOT NULL,
    sharpe       double precision NOT NULL,
    ts_micros    bigint           NOT NULL
);

CREATE INDEX backtest_trial_window ON backtest_trial (window_text);
