/**
 * Streaming features of a sequential series: {@link dev.arbiter.engine.features.FeatureConfig} (windows),
 * {@link dev.arbiter.engine.features.FeatureSchema} (names, order, id),
 * {@link dev.arbiter.engine.features.FeaturePipeline} (one per series, O(1) and allocation-free per
 * observation, snapshot and restore) and {@link dev.arbiter.engine.features.FeatureBatch} (the same code over
 * whole arrays, for backtests). The indicators are small package-private classes over primitive ring buffers:
 * one ring of closes and one of returns serve every window that needs them.
 */
package dev.arbiter.engine.features;
