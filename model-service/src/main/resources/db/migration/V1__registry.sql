-- The model registry: models, their immutable versions with artifact bytes, and ensembles.

CREATE TABLE model (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT        NOT NULL UNIQUE,
    description     TEXT        NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE model_version (
    id                         BIGSERIAL PRIMARY KEY,
    model_id                   BIGINT      NOT NULL REFERENCES model (id),
    version                    INT         NOT NULL,
    format                     TEXT        NOT NULL,
    output                     TEXT        NOT NULL,
    input_feature_names        TEXT        NOT NULL, -- JSON array, in the model's input order
    training_metadata          TEXT        NOT NULL, -- JSON object of strings
    metrics                    TEXT        NOT NULL, -- JSON object of numbers
    size_bytes                 BIGINT      NOT NULL,
    sha256_hex                 TEXT        NOT NULL,
    artifact                   BYTEA       NOT NULL,
    description                TEXT        NOT NULL DEFAULT '',
    feature_schema_id          TEXT        NOT NULL DEFAULT '',
    onnx_output_name           TEXT        NOT NULL DEFAULT '',
    onnx_positive_class_index  INT         NOT NULL DEFAULT 1,
    status                     TEXT        NOT NULL,
    status_reason              TEXT        NOT NULL DEFAULT '',
    created_at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
    status_changed_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT model_version_number UNIQUE (model_id, version),
    CONSTRAINT model_version_artifact UNIQUE (model_id, sha256_hex)
);

CREATE TABLE ensemble (
    id                  BIGSERIAL PRIMARY KEY,
    name                TEXT        NOT NULL UNIQUE,
    description         TEXT        NOT NULL DEFAULT '',
    members             TEXT        NOT NULL, -- JSON array of {model_name, version, initial_weight}
    half_life_outcomes  DOUBLE PRECISION NOT NULL,
    weight_floor        DOUBLE PRECISION NOT NULL,
    revision            INT         NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
