-- GetPerformance's default window is each series' own, ending at its latest decision: this index answers that latest
-- decision per series without a scan.
CREATE INDEX decision_series_ts ON decision (series_id, ts_micros DESC);
