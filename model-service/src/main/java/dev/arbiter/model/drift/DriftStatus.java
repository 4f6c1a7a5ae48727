package dev.arbiter.model.drift;

import dev.arbiter.engine.drift.QuantityDrift;
import dev.arbiter.engine.stats.PopulationStability.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * Input and score drift of one model version at one moment; mirrors {@code arbiter.v1.ModelDriftStatus}.
 *
 * @param modelName the model
 * @param version the version
 * @param falseDiscoveryRate the Benjamini–Hochberg level each quantity's adjusted p-value is compared with
 * @param reference the reference window: shared by every replica, frozen (or, while it fills, this replica's candidate)
 * @param current the recent window: this replica's latest predictions after the reference
 * @param features one test per input feature, in input order; empty before the version's first prediction
 * @param score the test of the model's output
 * @param enoughData false until the reference is set and both windows hold the configured minimum; nothing is tested
 * @param evaluatedTsMicros when this was computed, epoch microseconds
 * @param about the reference's generation and why it was last reset
 */
public record DriftStatus(
        String modelName,
        int version,
        double falseDiscoveryRate,
        Window reference,
        Window current,
        List<QuantityDrift> features,
        QuantityDrift score,
        boolean enoughData,
        long evaluatedTsMicros,
        Reference about) {

    public DriftStatus {
        features = List.copyOf(features);
    }

    /** A version this replica has not seen predict. */
    static DriftStatus unmonitored(String modelName, int version, double falseDiscoveryRate, long nowMicros) {
        return new DriftStatus(modelName, version, falseDiscoveryRate, Window.EMPTY, Window.EMPTY, List.of(),
                QuantityDrift.untested(DriftMonitor.SCORE, dev.arbiter.engine.drift.FeatureScale.RETURN), false,
                nowMicros, Reference.NONE);
    }

    /**
     * What one window held.
     *
     * @param sampleCount predictions held
     * @param firstTsMicros timestamp of the oldest, 0 when empty
     * @param lastTsMicros timestamp of the newest (inclusive), 0 when empty
     */
    public record Window(int sampleCount, long firstTsMicros, long lastTsMicros) {

        static final Window EMPTY = new Window(0, 0L, 0L);
    }

    /**
     * The shared reference's lifecycle.
     *
     * @param generation bumped by every reset; 0 when unknown
     * @param reason why it was last reset: {@code activation}, {@code refresh} or {@code first predictions}
     * @param setTsMicros when it was frozen, 0 while it fills
     * @param localOnly true when PostgreSQL could not be reached and this replica tests against its own reference
     */
    public record Reference(long generation, String reason, long setTsMicros, boolean localOnly) {

        static final Reference NONE = new Reference(0L, "", 0L, false);
    }

    /** Whether the score or any feature drifted. */
    public boolean drifted() {
        return score.drifted() || features.stream().anyMatch(QuantityDrift::drifted);
    }

    /** The smallest adjusted p-value of any test that ran; NaN when none ran. */
    public double minQValue() {
        double min = Double.NaN;
        for (QuantityDrift t : all()) {
            if (t.tested() && (Double.isNaN(min) || t.qValue() < min)) {
                min = t.qValue();
            }
        }
        return min;
    }

    /** The largest severity among the drifted quantities; NONE when nothing drifted. */
    public Severity severity() {
        Severity worst = Severity.NONE;
        for (QuantityDrift t : driftedTests()) {
            if (t.severity().compareTo(worst) > 0) {
                worst = t.severity();
            }
        }
        return worst;
    }

    /** The tests that drifted: features in input order, then the score. */
    public List<QuantityDrift> driftedTests() {
        return all().stream().filter(QuantityDrift::drifted).toList();
    }

    private List<QuantityDrift> all() {
        List<QuantityDrift> all = new ArrayList<>(features);
        all.add(score);
        return all;
    }
}
