package dev.arbiter.model.drift;

import java.util.ArrayList;
import java.util.List;

/**
 * Input and score drift of one model version at one moment; mirrors {@code arbiter.v1.ModelDriftStatus}.
 *
 * @param modelName the model
 * @param version the version
 * @param drifted whether the score or any feature drifted; false without enough data
 * @param pValueThreshold significance level the p-values were compared with
 * @param reference the reference window: the first predictions after monitoring started, then frozen
 * @param current the recent window: the latest predictions after the reference filled
 * @param features one test per input feature, in input order; empty before the version's first prediction
 * @param score the test of the model's output
 * @param enoughData false while either window holds fewer than the configured minimum; tests are then not run
 * @param evaluatedTsMicros when this was computed, epoch microseconds
 */
public record DriftStatus(
        String modelName,
        int version,
        boolean drifted,
        double pValueThreshold,
        Window reference,
        Window current,
        List<DriftTest> features,
        DriftTest score,
        boolean enoughData,
        long evaluatedTsMicros) {

    public DriftStatus {
        features = List.copyOf(features);
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

    /** The smallest p-value of any test that ran; NaN when none ran. */
    public double minPValue() {
        double min = score.minPValue();
        for (DriftTest t : features) {
            double p = t.minPValue();
            if (Double.isNaN(min) || p < min) {
                min = p;
            }
        }
        return min;
    }

    /** The tests that drifted: features in input order, then the score. */
    public List<DriftTest> driftedTests() {
        List<DriftTest> out = new ArrayList<>();
        for (DriftTest t : features) {
            if (t.drifted()) {
                out.add(t);
            }
        }
        if (score.drifted()) {
            out.add(score);
        }
        return out;
    }
}
