-- The drift reference window of each monitored model version, shared by every replica (issue 23): set from the first
-- predictions after the version is activated or the reference is refreshed, then frozen. A reset bumps generation
-- and empties the window; whichever replica fills it first stores it, and the others load it. drifted and
-- last_alert_ts_micros make one alert per drift, not one per replica. Expand only.
CREATE TABLE drift_reference (
    model_name            text    NOT NULL,
    version               integer NOT NULL,
    generation            bigint  NOT NULL,
    reason                text    NOT NULL,
    reset_ts_micros       bigint  NOT NULL,
    names                 text[],
    reference_values      bytea,
    sample_count          integer,
    first_ts_micros       bigint,
    last_ts_micros        bigint,
    set_ts_micros         bigint,
    drifted               boolean NOT NULL DEFAULT false,
    last_alert_ts_micros  bigint,
    PRIMARY KEY (model_name, version)
);
