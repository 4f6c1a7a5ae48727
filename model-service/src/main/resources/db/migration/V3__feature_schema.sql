-- Every feature schema a model was checked against (the one feature-service served at its upload), so a FeatureVector of
-- that schema maps to the model's inputs after a restart or while feature-service is away. Expand only.
CREATE TABLE feature_schema (
    schema_id       text PRIMARY KEY,
    names           text[] NOT NULL,
    seen_ts_micros  bigint NOT NULL
);
