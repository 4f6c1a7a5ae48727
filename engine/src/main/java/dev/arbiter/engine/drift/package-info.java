/**
 * Drift of a model's inputs and score that users can trust on autocorrelated, non-stationary series:
 * {@link dev.arbiter.engine.drift.DriftDetector} (return-scale quantities only, tests at effective sample sizes,
 * Benjamini–Hochberg across quantities, PSI as severity). model-service runs it over its shared reference windows.
 */
package dev.arbiter.engine.drift;
