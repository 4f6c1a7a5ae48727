package dev.arbiter.optimizer.training;

import static dev.arbiter.optimizer.training.TrainingFixtures.SEED;
import static dev.arbiter.optimizer.training.TrainingFixtures.data;
import static dev.arbiter.optimizer.training.TrainingFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.arbiter.optimizer.dataset.TimeSplit;
import dev.arbiter.proto.v1.CalibrationMethod;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;

/**
 * The four kinds on real data: electricity demand peaks (demand above the trailing week's 90th percentile within two
 * hours), trained on the first 80 % of the series, validated on the latest 20 % after a 4-row embargo.
 */
class ModelTrainerTest {

    /** Largest validation ECE a calibrated model may have here; the raw SVM decision value is far above it. */
    static final double ECE_BOUND = 0.08;
    /** How much worse than always predicting the base rate a model's validation Brier score may be. */
    static final double BRIER_MARGIN = 0.01;

    private static final List<ModelKind> KINDS = List.of(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES,
            ModelKind.MODEL_KIND_RANDOM_FOREST, ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, ModelKind.MODEL_KIND_LINEAR_SVM);

    @Test
    void eachKindPredictsCalibratedProbabilitiesOnRealData() {
        TimeSplit split = TrainingFixtures.electricityPeaks();
        TrainingData train = data(split.train());
        TrainingData validation = data(split.validation());
        double baseBrier = ProbabilityMetrics.baseRateBrier(validation.labels());
        System.out.printf("electricity peaks: %d training rows, %d validation rows, validation base-rate Brier %.4f%n",
                train.rows(), validation.rows(), baseBrier);
        for (ModelKind kind : KINDS) {
            try (TrainedModel m = ModelTrainer.train(settings(kind), train, validation, SEED, ProgressListener.NONE)) {
                ProbabilityMetrics v = ProbabilityMetrics.of(m.predict(validation.x(), validation.rows()),
                        validation.labels());
                System.out.printf("%-34s %-26s validation Brier %.4f ECE %.4f log loss %.4f AUC %.4f%n", kind,
                        m.settings().calibration(), v.brierScore(), v.expectedCalibrationError(), v.logLoss(), v.rocAuc());
                assertTrue(v.brierScore() <= baseBrier + BRIER_MARGIN, kind + " Brier " + v.brierScore());
                assertTrue(v.expectedCalibrationError() <= ECE_BOUND, kind + " ECE " + v.expectedCalibrationError());
                assertTrue(v.rocAuc() > 0.9, kind + " ranks peaks: AUC " + v.rocAuc());
            }
        }
    }

    @Test
    void plattScalingTurnsTheSvmsDecisionValuesIntoCalibratedProbabilities() {
        TimeSplit split = TrainingFixtures.electricityPeaks();
        TrainingData train = data(split.train());
        TrainingData validation = data(split.validation());
        try (TrainedModel m = ModelTrainer.train(settings(ModelKind.MODEL_KIND_LINEAR_SVM,
                CalibrationMethod.CALIBRATION_METHOD_PLATT), train, validation, SEED, ProgressListener.NONE)) {
            LinearModel svm = (LinearModel) m;
            double[] s = svm.score().scores(validation.x(), validation.rows());
            double[] clipped = new double[s.length];
            double[] squashed = new double[s.length];
            for (int i = 0; i < s.length; i++) {
                clipped[i] = Math.min(1.0, Math.max(0.0, s[i]));
                squashed[i] = ScoreCalibration.sigmoid(s[i]);
            }
            double rawClipped = ProbabilityMetrics.of(clipped, validation.labels()).expectedCalibrationError();
            double rawSigmoid = ProbabilityMetrics.of(squashed, validation.labels()).expectedCalibrationError();
            double platt = ProbabilityMetrics.of(m.predict(validation.x(), validation.rows()), validation.labels())
                    .expectedCalibrationError();
            System.out.printf("linear SVM validation ECE: decision value clipped to [0, 1] %.4f, sigmoid(decision value)"
                    + " %.4f, Platt-calibrated %.4f (%s)%n", rawClipped, rawSigmoid, platt, svm.calibration());
            assertTrue(rawClipped > ECE_BOUND, "the raw decision value is no probability: ECE " + rawClipped);
            assertTrue(rawSigmoid > ECE_BOUND, "squashing without fitting is not calibration: ECE " + rawSigmoid);
            assertTrue(platt <= ECE_BOUND, "Platt scaling calibrates: ECE " + platt);
        }
    }

    @Test
    void theSameSeedTrainsTheSameModel() {
        TimeSplit split = TrainingFixtures.electricityPeaks();
        TrainingData train = data(split.train());
        for (ModelKind kind : KINDS) {
            byte[] first;
            byte[] second;
            try (TrainedModel a = ModelTrainer.train(settings(kind), train, null, SEED, ProgressListener.NONE);
                 TrainedModel b = ModelTrainer.train(settings(kind), train, null, SEED, ProgressListener.NONE)) {
                first = a.artifact();
                second = b.artifact();
            }
            assertArrayEquals(first, second, kind + " is reproducible");
        }
        try (TrainedModel a = ModelTrainer.train(settings(ModelKind.MODEL_KIND_RANDOM_FOREST), train, null, SEED,
                ProgressListener.NONE);
             TrainedModel b = ModelTrainer.train(settings(ModelKind.MODEL_KIND_RANDOM_FOREST), train, null, SEED + 1,
                     ProgressListener.NONE)) {
            assertFalse(Arrays.equals(a.artifact(), b.artifact()), "another seed samples other rows and features");
        }
    }

    @Test
    void exportedArtifactsPredictWhatTheModelPredictsInProcess() throws Exception {
        TimeSplit split = TrainingFixtures.electricityPeaks();
        TrainingData train = data(split.train());
        TrainingData validation = data(split.validation());
        List<ModelSettings> all = new ArrayList<>();
        for (ModelKind kind : KINDS) {
            all.add(settings(kind));
        }
        all.add(settings(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, CalibrationMethod.CALIBRATION_METHOD_PLATT));
        all.add(settings(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, CalibrationMethod.CALIBRATION_METHOD_ISOTONIC));
        all.add(settings(ModelKind.MODEL_KIND_LINEAR_SVM, CalibrationMethod.CALIBRATION_METHOD_ISOTONIC));
        for (ModelSettings s : all) {
            try (TrainedModel m = ModelTrainer.train(s, train, null, SEED, ProgressListener.NONE)) {
                double[] inProcess = m.predict(validation.x(), validation.rows());
                float[] served = m.format() == ModelFormat.MODEL_FORMAT_ONNX
                        ? onnx(m.artifact(), validation) : xgboost(m.artifact(), validation);
                int off = 0;
                double worst = 0;
                for (int i = 0; i < inProcess.length; i++) {
                    double d = Math.abs(inProcess[i] - served[i]);
                    worst = Math.max(worst, d);
                    if (d > 1e-5) {
                        off++;
                    }
                }
                String what = s.kind() + " " + s.calibration() + " (" + m.format() + ")";
                if (s.calibration() == CalibrationMethod.CALIBRATION_METHOD_ISOTONIC) {
                    // float32 scores may fall on the other side of a step threshold than double ones: rarely.
                    assertTrue(off <= inProcess.length / 200, what + ": " + off + " rows differ");
                } else {
                    assertEquals(0, off, what + ": largest difference " + worst);
                }
            }
        }
    }

    @Test
    void progressIsReportedAndACancelStopsTraining() {
        TimeSplit split = TrainingFixtures.electricityPeaks();
        TrainingData train = data(split.train());
        TrainingData validation = data(split.validation());
        List<double[]> reports = new ArrayList<>();
        try (TrainedModel m = ModelTrainer.train(settings(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES), train,
                validation, SEED, (i, total, trainLoss, validationLoss, message) ->
                        reports.add(new double[] {i, total, trainLoss, validationLoss}))) {
            assertEquals("200", m.facts().get("trees"));
        }
        assertEquals(20, reports.size(), "one report per 10 of 200 rounds");
        for (int r = 0; r < reports.size(); r++) {
            double[] p = reports.get(r);
            assertEquals(10 * (r + 1), (int) p[0]);
            assertEquals(200, (int) p[1]);
            assertTrue(p[2] > 0 && p[3] > 0, "train and validation log loss are measured");
        }
        assertTrue(reports.get(19)[2] < reports.get(0)[2], "training loss falls as trees are added");

        int[] calls = {0};
        ProgressListener cancelAfterFirst = new ProgressListener() {
            @Override
            public void progress(int iteration, int total, double trainLoss, double validationLoss, String message) {
                calls[0]++;
            }

            @Override
            public boolean cancelled() {
                return calls[0] > 0;
            }
        };
        assertThrows(TrainingCancelled.class, () -> ModelTrainer.train(settings(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES),
                train, validation, SEED, cancelAfterFirst));
        assertEquals(1, calls[0], "stopped at the next round after the cancel");
    }

    @Test
    void theWalkForwardEntryPointTakesArraysAndAProtoConfig() {
        TimeSplit split = TrainingFixtures.electricityPeaks();
        ModelTrainingConfig config = ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION)
                .build();
        try (TrainedModel m = ModelTrainer.train(config, split.train().x(), split.train().rows(), split.train().cols(),
                split.train().labels(), SEED, null)) {
            double[] p = m.predict(split.validation().x(), split.validation().rows());
            assertEquals(split.validation().rows(), p.length);
            assertEquals(ModelFormat.MODEL_FORMAT_ONNX, m.format());
            assertEquals(split.train().cols(), m.cols());
            assertTrue(Arrays.stream(p).allMatch(v -> v >= 0 && v <= 1));
        }
    }

    @Test
    void dataAKindCannotFitIsRefusedWithTheReason() {
        TimeSplit split = TrainingFixtures.electricityPeaks();
        TrainingData train = data(split.train());
        int[] allNegative = new int[train.rows()];
        IllegalArgumentException oneClass = assertThrows(IllegalArgumentException.class, () -> ModelTrainer.train(
                settings(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES),
                new TrainingData(train.x(), train.rows(), train.cols(), allNegative, 0), null, SEED, null));
        assertTrue(oneClass.getMessage().contains("only negative labels"), oneClass.getMessage());

        double[] withNaN = train.x().clone();
        withNaN[5 * train.cols() + 2] = Double.NaN;
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> ModelTrainer.train(
                settings(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION),
                new TrainingData(withNaN, train.rows(), train.cols(), train.labels(), 0), null, SEED, null));
        assertTrue(nan.getMessage().contains("row 5, column 2"), nan.getMessage());
        // Trees take NaN as missing.
        try (TrainedModel m = ModelTrainer.train(settings(ModelKind.MODEL_KIND_RANDOM_FOREST),
                new TrainingData(withNaN, train.rows(), train.cols(), train.labels(), 0), null, SEED, null)) {
            assertEquals(1, m.predict(Arrays.copyOfRange(withNaN, 5 * train.cols(), 6 * train.cols()), 1).length);
        }

        int[] alternating = new int[30];
        for (int i = 0; i < alternating.length; i++) {
            alternating[i] = i % 2;
        }
        TrainingData tiny = new TrainingData(Arrays.copyOf(train.x(), 30 * train.cols()), 30, train.cols(), alternating, 4);
        IllegalArgumentException calibration = assertThrows(IllegalArgumentException.class, () -> ModelTrainer.train(
                settings(ModelKind.MODEL_KIND_LINEAR_SVM), tiny, null, SEED, null));
        assertTrue(calibration.getMessage().contains("calibration"), calibration.getMessage());
    }

    private static float[] onnx(byte[] artifact, TrainingData data) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = new float[data.x().length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) data.x()[i];
        }
        try (OrtSession session = env.createSession(artifact, new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {data.rows(), data.cols()});
             OrtSession.Result result = session.run(Map.of(OnnxLinearGraph.INPUT, input))) {
            float[][] out = (float[][]) result.get(0).getValue();
            assertEquals(1, out[0].length, "one probability per row");
            float[] p = new float[out.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = out[i][0];
            }
            return p;
        }
    }

    private static float[] xgboost(byte[] artifact, TrainingData data) throws Exception {
        Booster booster = XGBoost.loadModel(artifact);
        DMatrix m = XGBoostTrainer.matrix(data.x(), data.rows(), data.cols());
        try {
            float[][] out = booster.predict(m);
            float[] p = new float[out.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = out[i][0];
            }
            return p;
        } finally {
            m.dispose();
            booster.dispose();
        }
    }
}
