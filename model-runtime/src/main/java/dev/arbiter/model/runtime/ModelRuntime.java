package dev.arbiter.model.runtime;

/**
 * A loaded model version that turns feature rows into the probability of the positive class.
 * Implementations are thread-safe; {@link #close()} frees native resources and must not race with predictions.
 */
public interface ModelRuntime extends AutoCloseable {

    /** The number of values in one row: the size of the artifact's {@code inputFeatureNames}. */
    int inputCount();

    /** True if NaN means "missing" to this model (XGBoost); false if the caller must never pass NaN (ONNX). */
    boolean acceptsMissing();

    /**
     * The probability of the positive class for one row of exactly {@link #inputCount()} values.
     * Thread-safe.
     */
    double predict(double[] row);

    /**
     * {@link #predict(double[])} for {@code n} rows stored row-major in {@code rows} ({@code n × inputCount()} values);
     * writes {@code out[0..n)}.
     */
    void predictBatch(double[] rows, int n, double[] out);

    @Override
    void close();
}
