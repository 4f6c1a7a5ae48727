package dev.arbiter.optimizer.training;

import dev.arbiter.proto.v1.ModelTrainingConfig;

/**
 * Trains one model of any of the four kinds: plain Java, no framework, so a walk-forward backtest can call it per
 * fold. The same settings, rows and seed give the same model.
 *
 * <pre>{@code
 * try (TrainedModel m = ModelTrainer.train(config, x, rows, cols, labels, seed, ProgressListener.NONE)) {
 *     double[] p = m.predict(testX, testRows);
 * }
 * }</pre>
 */
public final class ModelTrainer {

    private ModelTrainer() {
    }

    /**
     * Trains on row-major {@code x} ({@code rows × cols}, rows in time order) and 0/1 {@code labels}.
     *
     * @throws dev.arbiter.service.RequestRefused INVALID_ARGUMENT for a bad config (field "model...")
     * @throws IllegalArgumentException           for data the kind cannot fit (one class only, NaN for a linear
     *                                            kind, too few rows to calibrate)
     * @throws TrainingCancelled                  when the listener cancels
     */
    public static TrainedModel train(ModelTrainingConfig config, double[] x, int rows, int cols, int[] labels,
                                     long seed, ProgressListener listener) {
        return train(ModelSettings.of(config, "model"), new TrainingData(x, rows, cols, labels, 0), null, seed,
                listener);
    }

    /**
     * Trains with checked settings.
     *
     * @param train      the training rows in time order; their {@code embargo} separates a linear kind's fitting rows
     *                   from its calibration rows
     * @param validation rows only watched (their log loss reported in progress); may be null
     */
    public static TrainedModel train(ModelSettings settings, TrainingData train, TrainingData validation, long seed,
                                     ProgressListener listener) {
        if (train.rows() < 2) {
            throw new IllegalArgumentException("training has " + train.rows() + " rows; a classifier needs more");
        }
        int positives = train.positives();
        if (positives == 0 || positives == train.rows()) {
            throw new IllegalArgumentException("the training rows hold only " + (positives == 0 ? "negative" : "positive")
                    + " labels; a classifier needs both: use more history or another label");
        }
        ProgressListener l = listener == null ? ProgressListener.NONE : listener;
        return switch (settings.kind()) {
            case MODEL_KIND_GRADIENT_BOOSTED_TREES, MODEL_KIND_RANDOM_FOREST ->
                    XGBoostTrainer.train(settings, train, validation, seed, l);
            case MODEL_KIND_LOGISTIC_REGRESSION, MODEL_KIND_LINEAR_SVM ->
                    LinearTrainer.train(settings, train, validation, seed, l);
            default -> throw new IllegalArgumentException("no trainer for " + settings.kind());
        };
    }
}
