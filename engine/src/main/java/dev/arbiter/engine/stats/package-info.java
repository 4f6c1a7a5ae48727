/**
 * Statistics over windows of a stream: {@link dev.arbiter.engine.stats.SampleWindow} (a fixed-capacity ring of
 * values and timestamps, O(1) and allocation-free per value) and {@link dev.arbiter.engine.stats.TwoSampleTests}
 * (two-sided Kolmogorov-Smirnov and Mann-Whitney U over commons-math3, NaN-safe, also at effective sample sizes),
 * {@link dev.arbiter.engine.stats.Autocorrelation}, {@link dev.arbiter.engine.stats.BenjaminiHochberg} and
 * {@link dev.arbiter.engine.stats.PopulationStability}, used for input and score drift
 * ({@link dev.arbiter.engine.drift.DriftDetector}).
 */
package dev.arbiter.engine.stats;
