-- The learned gate's model of an ensemble (EnsembleDefinition.meta_model). Expand only: both columns are nullable
-- (no meta model), so a replica of the previous release reads and writes the table as before.
ALTER TABLE ensemble ADD COLUMN meta_model_name TEXT;
ALTER TABLE ensemble ADD COLUMN meta_model_version INT;
