-- The catalog of stored history: one row per series, pointing at its current Parquet file under
-- arbiter.optimizer.history.root. Switching this row is what makes a new import visible.
CREATE TABLE history_series (
    series_id         text COLLATE "C" PRIMARY KEY, -- byte order, so ListHistory pages the same on every database
    file_name         text   NOT NULL,              -- the current Parquet file, relative to the series' folder
    generation        bigint NOT NULL,              -- 1 for the first import, +1 per import; guards against concurrent imports
    start_ts_micros   bigint NOT NULL,              -- first stored time
    end_ts_micros     bigint NOT NULL,              -- last stored time + 1
    row_count         bigint NOT NULL,
    size_bytes        bigint NOT NULL,              -- size of the Parquet file
    updated_ts_micros bigint NOT NULL               -- when it was last imported into
);
