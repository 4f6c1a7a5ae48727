-- Decisions PostgreSQL refused for their data (SQLSTATE classes 22 and 23, e.g. a NUL character in a text column):
-- kept here instead of in the decision log, so one bad row never holds up the log or its spool. series_id and error
-- are printable copies (control characters written as \uXXXX); decision holds the decision's protobuf bytes as sent.
CREATE TABLE decision_dead_letter (
    decision_id    uuid   PRIMARY KEY,
    series_id      text   NOT NULL,
    ts_micros      bigint NOT NULL,
    sql_state      text   NOT NULL,
    error          text   NOT NULL,
    dead_ts_micros bigint NOT NULL,
    decision       bytea  NOT NULL
);
