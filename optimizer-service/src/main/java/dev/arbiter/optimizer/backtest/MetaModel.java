package dev.arbiter.optimizer.backtest;

import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.training.Hyperparameters;
import dev.arbiter.optimizer.training.ModelSettings;
import dev.arbiter.optimizer.training.ModelTrainer;
import dev.arbiter.optimizer.training.ProgressListener;
import dev.arbiter.optimizer.training.TrainedModel;
import dev.arbiter.optimizer.training.TrainingData;
import dev.arbiter.proto.v1.CalibrationMethod;
import dev.arbiter.proto.v1.ModelKind;
import java.util.Arrays;
import java.util.Map;

/**
 * The learned gate's model in a walk-forward fold: a logistic regression over {@link MetaGate}'s inputs (the
 * ensemble's probability, edge, agreement and side, then the features), fitted on whether the ensemble's side won,
 * on the fold's selection rows only: the last part of the training window, after an embargo of the label horizon,
 * which the members were not fitted on, so the ensemble's view there is out of sample as it is live. Nothing of the
 * test window but its features is read: its meta probabilities are predictions made at decision time.
 */
final class MetaModel {

    /** The meta model: L2-regularised logistic regression at its default strength, uncalibrated (it outputs probabilities). */
    static final ModelSettings SETTINGS = new ModelSettings(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION,
            CalibrationMethod.CALIBRATION_METHOD_NONE,
            Hyperparameters.resolve(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, Map.of(), "meta"));

    /** Fewest selection rows of each meta label (won, lost) a meta model is fitted on; fewer leaves the fold without one. */
    static final int MIN_ROWS_PER_LABEL = 20;

    private MetaModel() {
    }

    /**
     * Fits the fold's meta model on rows [selectStart, trainEnd) of {@code data}, where {@code memberSelectP} holds
     * each member's out-of-sample probabilities, and writes its probabilities for the fold's test rows to
     * {@code meta[at .. at + testRows)}; NaN there when the selection rows are too few or one-sided (the learned
     * gate, when on, then stays out of the fold).
     */
    static void fitAndPredict(Dataset data, int selectStart, int trainEnd, double[][] memberSelectP, double[] weights,
                              PlattScaling calibration, double[] testX,
                              double[] ensemble, double[] agreement, int at, int testRows, long seed, double[] meta) {
        Arrays.fill(meta, at, at + testRows, Double.NaN);
        int rows = trainEnd - selectStart;
        if (rows <= 0 || memberSelectP.length == 0 || memberSelectP[0] == null) {
            return;
        }
        int cols = data.cols();
        int width = MetaGate.INPUTS.size() + cols;
        double[] x = new double[rows * width];
        int[] won = new int[rows];
        for (int i = 0; i < rows; i++) {
            double p = calibration.apply(WalkForwardBacktest.mean(memberSelectP, weights, i));
            MetaGate.fillInputs(p, WalkForwardBacktest.agreement(memberSelectP, weights, i, p), data.x(), (selectStart + i) * cols,
                    cols, x, i * width);
            won[i] = MetaGate.won(p, data.forwardReturns()[selectStart + i]);
        }
        int wins = Arrays.stream(won).sum();
        if (Math.min(wins, rows - wins) < MIN_ROWS_PER_LABEL || !allFinite(x)) {
            return;
        }
        double[] testMeta = new double[testRows * width];
        for (int i = 0; i < testRows; i++) {
            MetaGate.fillInputs(ensemble[at + i], agreement[at + i], testX, i * cols, cols, testMeta, i * width);
        }
        try (TrainedModel model = ModelTrainer.train(SETTINGS, new TrainingData(x, rows, width, won, 0), null, seed,
                ProgressListener.NONE)) {
            System.arraycopy(model.predict(testMeta, testRows), 0, meta, at, testRows);
        }
    }

    private static boolean allFinite(double[] x) {
        for (double v : x) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
