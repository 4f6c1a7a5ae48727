package dev.arbiter.optimizer.training;

import dev.arbiter.proto.v1.ModelFormat;
import java.util.Map;

/**
 * A fitted model: predicts positive-class probabilities in-process, and serialises to the artifact model-service
 * serves (whose output is the same probability, computed in float32 there). Tree models hold native XGBoost memory:
 * close them when done.
 */
public interface TrainedModel extends AutoCloseable {

    /** The settings it was trained with. */
    ModelSettings settings();

    /** Features per row. */
    int cols();

    /**
     * Probabilities of the positive class for {@code rows} row-major rows of {@link #cols()} features. Thread-safe.
     */
    double[] predict(double[] x, int rows);

    /** The artifact's format: XGBoost JSON for tree kinds, ONNX for linear kinds. */
    ModelFormat format();

    /** The artifact bytes; ONNX models take one float tensor [batch, cols] and output [batch, 1] probabilities. */
    byte[] artifact();

    /** Facts about the fit worth recording with the model version (iterations, calibration parameters, ...). */
    Map<String, String> facts();

    /** Frees native memory, if any; predict must not be called afterwards. */
    @Override
    void close();
}
