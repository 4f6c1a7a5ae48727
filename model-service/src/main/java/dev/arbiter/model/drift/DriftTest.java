package dev.arbiter.model.drift;

/**
 * Two-sample tests of one quantity, a feature or the score: recent window against reference window. Statistics and
 * p-values are NaN when the test did not run (too little data); {@code drifted} is then false.
 *
 * @param name the feature name, or {@value DriftMonitor#SCORE} for the model's output
 * @param ksStatistic Kolmogorov-Smirnov D
 * @param ksPValue two-sided p-value of the KS test
 * @param mannWhitneyU Mann-Whitney U, the larger of U(reference) and U(recent)
 * @param mannWhitneyPValue two-sided p-value of the Mann-Whitney U test
 * @param drifted whether either p-value is below the threshold
 */
public record DriftTest(
        String name, double ksStatistic, double ksPValue, double mannWhitneyU, double mannWhitneyPValue, boolean drifted) {

    static DriftTest untested(String name) {
        return new DriftTest(name, Double.NaN, Double.NaN, Double.NaN, Double.NaN, false);
    }

    /** Whether the tests ran. */
    public boolean tested() {
        return !Double.isNaN(ksPValue);
    }

    /** The smaller p-value; NaN when untested. */
    public double minPValue() {
        return tested() ? Math.min(ksPValue, mannWhitneyPValue) : Double.NaN;
    }
}
