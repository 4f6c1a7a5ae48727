package dev.arbiter.optimizer.backtest;

import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.TimeSplit;
import dev.arbiter.optimizer.training.ModelSettings;
import dev.arbiter.optimizer.training.ModelTrainer;
import dev.arbiter.optimizer.training.ProbabilityMetrics;
import dev.arbiter.optimizer.training.ProgressListener;
import dev.arbiter.optimizer.training.TrainedModel;
import dev.arbiter.optimizer.training.TrainingData;
import java.util.Arrays;
import java.util.List;

/**
 * The learned gate's model for live use (TrainingSpec.meta), trained as {@link MetaModel} is in each walk-forward
 * fold: the members on the earlier part of the training rows, the ensemble formed from their out-of-sample
 * probabilities on the latest {@link WalkForwardBacktest#SELECTION_FRACTION} (after an embargo of the label horizon),
 * members weighted by squared Brier skill there, and the meta model fitted there on whether the ensemble's side won.
 */
public final class LiveMetaModel {

    /**
     * The fitted meta model (the caller closes it) and its rows.
     *
     * @param model      the meta model over {@link MetaGate#inputNames} of the features
     * @param weights    the members' weights, in members order
     * @param fitRows    rows the members were trained on
     * @param selection  the meta model's inputs and outcomes on the rows it was fitted on
     * @param validation the same on the validation rows, predicted by the same members
     */
    public record Fitted(TrainedModel model, double[] weights, int fitRows, Rows selection, Rows validation)
            implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    /** The meta model's inputs ({@code rows × width}) and outcomes (1: the ensemble's side won) on some rows. */
    public record Rows(double[] x, int[] won, int rows, int width) {
    }

    private LiveMetaModel() {
    }

    /**
     * Trains the members and the meta model on {@code train}, and makes the meta model's rows of {@code validation}.
     *
     * @throws IllegalArgumentException when the selection rows hold fewer than {@link MetaModel#MIN_ROWS_PER_LABEL}
     *                                  of either outcome, or a member cannot be trained on the data
     */
    public static Fitted fit(Dataset train, Dataset validation, List<ModelSettings> memberSettings, ModelSettings meta,
                             long seed, ProgressListener listener) {
        TimeSplit split = TimeSplit.latest(train, WalkForwardBacktest.SELECTION_FRACTION);
        Dataset fit = split.train();
        Dataset selection = split.validation();
        int m = memberSettings.size();
        double[][] selectP = new double[m][];
        double[][] validationP = new double[m][];
        double[] brier = new double[m];
        for (int k = 0; k < m; k++) {
            if (listener.cancelled()) {
                throw new dev.arbiter.optimizer.training.TrainingCancelled();
            }
            listener.progress(k, m + 1, Double.NaN, Double.NaN, "training member " + k + " ("
                    + memberSettings.get(k).kind() + ") on " + fit.rows() + " rows");
            try (TrainedModel model = ModelTrainer.train(memberSettings.get(k), new TrainingData(fit.x(), fit.rows(),
                    fit.cols(), fit.labels(), fit.horizon()), null, seed + k, ProgressListener.NONE)) {
                selectP[k] = model.predict(selection.x(), selection.rows());
                validationP[k] = model.predict(validation.x(), validation.rows());
            }
            brier[k] = ProbabilityMetrics.of(selectP[k], selection.labels()).brierScore();
        }
        double[] weights = WalkForwardBacktest.skillWeights(brier, selection.labels());
        Rows selected = rows(selectP, weights, selection);
        int wins = Arrays.stream(selected.won()).sum();
        if (Math.min(wins, selected.rows() - wins) < MetaModel.MIN_ROWS_PER_LABEL) {
            throw new IllegalArgumentException("the " + selected.rows() + " selection rows hold " + wins + " where the"
                    + " ensemble's side won and " + (selected.rows() - wins) + " where it lost; the meta model needs at"
                    + " least " + MetaModel.MIN_ROWS_PER_LABEL + " of each");
        }
        listener.progress(m, m + 1, Double.NaN, Double.NaN, "training the meta model on " + selected.rows()
                + " selection rows");
        TrainedModel model = ModelTrainer.train(meta, new TrainingData(selected.x(), selected.rows(), selected.width(),
                selected.won(), 0), null, seed + m, ProgressListener.NONE);
        return new Fitted(model, weights, fit.rows(), selected, rows(validationP, weights, validation));
    }

    private static Rows rows(double[][] memberP, double[] weights, Dataset data) {
        int cols = data.cols();
        int width = MetaGate.INPUTS.size() + cols;
        double[] x = new double[data.rows() * width];
        int[] won = new int[data.rows()];
        for (int i = 0; i < data.rows(); i++) {
            double p = WalkForwardBacktest.mean(memberP, weights, i);
            MetaGate.fillInputs(p, WalkForwardBacktest.agreement(memberP, weights, i, p), data.x(), i * cols, cols, x,
                    i * width);
            won[i] = MetaGate.won(p, data.forwardReturns()[i]);
        }
        return new Rows(x, won, data.rows(), width);
    }
}
