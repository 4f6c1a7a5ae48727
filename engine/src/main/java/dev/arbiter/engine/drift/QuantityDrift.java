package dev.arbiter.engine.drift;

import dev.arbiter.engine.stats.PopulationStability.Severity;

/**
 * The drift of one quantity (a feature or the score): recent window against reference window. Statistics are NaN
 * when the tests did not run ({@link #tested} false: a scale that is not tested, or too few finite values).
 *
 * @param name the feature name, or the score's name
 * @param scale the feature's scale; only {@link FeatureScale#RETURN} is tested
 * @param ksStatistic Kolmogorov-Smirnov D
 * @param ksPValue the KS p-value at the effective sample sizes
 * @param mannWhitneyU Mann-Whitney U, the larger of the two U statistics
 * @param mannWhitneyPValue the Mann-Whitney p-value at the effective sample sizes
 * @param referenceEffectiveSize finite reference values divided by their integrated autocorrelation time
 * @param recentEffectiveSize the same for the recent window
 * @param pValue the quantity's p-value: twice the smaller of the two tests' (Bonferroni over the pair), at most 1
 * @param qValue the Benjamini–Hochberg adjusted p-value across every tested quantity of the version
 * @param psi the population stability index, the size of the shift (NaN when untested)
 * @param severity PSI read as none, moderate or significant
 * @param drifted whether {@code qValue} is below the false discovery rate
 */
public record QuantityDrift(
        String name,
        FeatureScale scale,
        double ksStatistic,
        double ksPValue,
        double mannWhitneyU,
        double mannWhitneyPValue,
        double referenceEffectiveSize,
        double recentEffectiveSize,
        double pValue,
        double qValue,
        double psi,
        Severity severity,
        boolean drifted) {

    /** A quantity whose tests did not run. */
    public static QuantityDrift untested(String name, FeatureScale scale) {
        return new QuantityDrift(name, scale, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Severity.NONE, false);
    }

    /** Whether the tests ran. */
    public boolean tested() {
        return !Double.isNaN(pValue);
    }

    QuantityDrift withQValue(double q, double falseDiscoveryRate) {
        return new QuantityDrift(name, scale, ksStatistic, ksPValue, mannWhitneyU, mannWhitneyPValue,
                referenceEffectiveSize, recentEffectiveSize, pValue, q, psi, severity, q < falseDiscoveryRate);
    }
}
