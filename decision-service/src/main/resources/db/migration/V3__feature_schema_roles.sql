-- The two features the policy reads, by role (FeatureInfo.policy_input), so a replay finds them whatever the windows.
-- Rows from before have NULL here; a replay of one of those finds the features by the engine's rule over the names.
ALTER TABLE feature_schema ADD COLUMN volatility_feature text;
ALTER TABLE feature_schema ADD COLUMN trend_feature text;
