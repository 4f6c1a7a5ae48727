package dev.arbiter.model.runtime;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.classification.Label;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX models exported by Tribuo (and one shaped like scikit-learn's) against their trainers' own predictions.
 * What the runtime reads: Tribuo's logistic regression exports softmax probabilities [n, 2]; Tribuo's linear SVMs
 * (LibLinear, SGD hinge) export decision values [n, 2] = (+s, -s), which the runtime returns unchanged, so an SVM's
 * "probability" is really its margin until it is calibrated.
 */
class OnnxRuntimeTest {

    private static SyntheticData training;
    private static SyntheticData evaluation;
    private static Model<Label> logisticRegression;

    @BeforeAll
    static void train() {
        training = SyntheticData.generate(11L, 3_000, 0);
        evaluation = SyntheticData.generate(12L, 2_000, 0);
        logisticRegression = TribuoTraining.logisticRegression(training);
    }

    @Test
    void tribuoNumbersFeaturesInColumnOrder() {
        List<String> names = SyntheticData.featureNames();
        for (int f = 0; f < names.size(); f++) {
            assertEquals(f, logisticRegression.getFeatureIDMap().get(names.get(f)).getID(), names.get(f));
        }
    }

    @Test
    void logisticRegressionMatchesTribuoProbabilities() throws Exception {
        try (ModelRuntime runtime = ModelRuntimes.load(TribuoTraining.artifact(logisticRegression))) {
            assertEquals(SyntheticData.FEATURES, runtime.inputCount());
            assertFalse(runtime.acceptsMissing());
            double[] batch = new double[evaluation.n];
            runtime.predictBatch(evaluation.rows, evaluation.n, batch);
            for (int r = 0; r < evaluation.n; r++) {
                double expected = TribuoTraining.score(logisticRegression, evaluation.row(r));
                double actual = runtime.predict(evaluation.row(r));
                assertTrue(actual > 0 && actual < 1, "a probability: " + actual);
                assertEquals(expected, actual, 1e-5, "single row " + r); // float32 in ONNX, double in Tribuo
                assertEquals(expected, batch[r], 1e-5, "batch row " + r);
            }
        }
    }

    @Test
    void theOtherColumnIsTheOtherClass() throws Exception {
        ModelArtifact up = TribuoTraining.artifact(logisticRegression);
        ModelArtifact down = new ModelArtifact(up.format(), up.bytes(), up.inputFeatureNames(), "output",
                1 - up.onnxPositiveClassIndex());
        try (ModelRuntime pUp = ModelRuntimes.load(up); ModelRuntime pDown = ModelRuntimes.load(down)) {
            for (int r = 0; r < 100; r++) {
                assertEquals(1.0, pUp.predict(evaluation.row(r)) + pDown.predict(evaluation.row(r)), 1e-6);
            }
        }
    }

    @Test
    void libLinearSvmServesItsDecisionValue() throws Exception {
        assertServesDecisionValues(TribuoTraining.libLinearSvm(training));
    }

    @Test
    void sgdHingeSvmServesItsDecisionValue() throws Exception {
        assertServesDecisionValues(TribuoTraining.sgdHingeSvm(training));
    }

    private static void assertServesDecisionValues(Model<Label> svm) throws Exception {
        assertFalse(svm.generatesProbabilities());
        try (ModelRuntime runtime = ModelRuntimes.load(TribuoTraining.artifact(svm))) {
            int outsideUnitInterval = 0;
            int agreeingSigns = 0;
            for (int r = 0; r < evaluation.n; r++) {
                double expected = TribuoTraining.score(svm, evaluation.row(r));
                double actual = runtime.predict(evaluation.row(r));
                assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)), "row " + r);
                outsideUnitInterval += actual < 0 || actual > 1 ? 1 : 0;
                boolean predictedUp = TribuoTraining.predictsUp(svm, evaluation.row(r));
                agreeingSigns += (actual > 0) == predictedUp ? 1 : 0;
            }
            assertTrue(outsideUnitInterval > evaluation.n / 2, "decision values, not probabilities");
            assertEquals(evaluation.n, agreeingSigns, "a positive value means the positive class");
        }
    }

    @Test
    void sklearnStyleSequenceOfMapsIsRead() throws Exception {
        float[] w = new float[SyntheticData.FEATURES];
        for (int f = 0; f < w.length; f++) {
            w[f] = (f % 3 - 1) * 0.4f;
        }
        float b = 0.25f;
        byte[] bytes = SklearnStyleOnnx.logisticRegression(w, b);
        try (ModelRuntime runtime = ModelRuntimes.load(new ModelArtifact(ArtifactFormat.ONNX, bytes,
                SyntheticData.featureNames(), "probabilities", 1))) {
            double[] batch = new double[200];
            runtime.predictBatch(evaluation.rows, 200, batch);
            for (int r = 0; r < 200; r++) {
                double z = b;
                for (int f = 0; f < w.length; f++) {
                    z += w[f] * (float) evaluation.rows[r * SyntheticData.FEATURES + f];
                }
                double expected = 1 / (1 + Math.exp(-z));
                assertEquals(expected, runtime.predict(evaluation.row(r)), 1e-5, "row " + r);
                assertEquals(expected, batch[r], 1e-5, "batch row " + r);
            }
        }
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelRuntimes.load(new ModelArtifact(
                ArtifactFormat.ONNX, bytes, SyntheticData.featureNames(), "", 1)));
        assertEquals("the ONNX output \"label\" holds INT64 values, not float probabilities; name the probability"
                + " output in onnx_output_name (outputs: [label, probabilities])", e.getMessage());
    }

    @Test
    void concurrentPredictionsMatchSequentialOnes() throws Exception {
        try (ModelRuntime runtime = ModelRuntimes.load(TribuoTraining.artifact(logisticRegression))) {
            double[] sequential = new double[evaluation.n];
            for (int r = 0; r < evaluation.n; r++) {
                sequential[r] = runtime.predict(evaluation.row(r));
            }
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<double[]>> results = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    results.add(pool.submit(() -> {
                        double[] mine = new double[evaluation.n];
                        for (int r = 0; r < evaluation.n; r++) {
                            mine[r] = runtime.predict(evaluation.row(r));
                        }
                        return mine;
                    }));
                }
                for (Future<double[]> result : results) {
                    assertArrayEquals(sequential, result.get());
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void closedRuntimeRefusesToPredict() throws Exception {
        ModelRuntime runtime = ModelRuntimes.load(TribuoTraining.artifact(logisticRegression));
        runtime.close();
        runtime.close();
        assertThrows(IllegalStateException.class, () -> runtime.predict(evaluation.row(0)));
    }

    @Test
    void wrongRowLengthIsRefused() throws Exception {
        try (ModelRuntime runtime = ModelRuntimes.load(TribuoTraining.artifact(logisticRegression))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> runtime.predict(new double[3]));
            assertEquals("row has 3 values; this model takes 20", e.getMessage());
        }
    }
}
