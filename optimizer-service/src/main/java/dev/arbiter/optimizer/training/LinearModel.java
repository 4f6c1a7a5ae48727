package dev.arbiter.optimizer.training;

import dev.arbiter.proto.v1.ModelFormat;
import java.util.Map;

/**
 * A linear score and its calibration to a probability; exported as one ONNX graph ({@link OnnxLinearGraph}).
 * In-process predictions run in double precision, model-service's in float32: they agree to about 1e-6.
 */
public final class LinearModel implements TrainedModel {

    private final ModelSettings settings;
    private final LinearScore score;
    private final ScoreCalibration calibration;
    private final Map<String, String> facts;
    private volatile byte[] onnx;

    LinearModel(ModelSettings settings, LinearScore score, ScoreCalibration calibration, Map<String, String> facts) {
        this.settings = settings;
        this.score = score;
        this.calibration = calibration;
        this.facts = Map.copyOf(facts);
    }

    @Override
    public ModelSettings settings() {
        return settings;
    }

    @Override
    public int cols() {
        return score.w().length;
    }

    /** The uncalibrated score: log-odds for logistic regression, the decision value for the SVM. */
    public LinearScore score() {
        return score;
    }

    /** The map from score to probability. */
    public ScoreCalibration calibration() {
        return calibration;
    }

    @Override
    public double[] predict(double[] x, int rows) {
        double[] s = score.scores(x, rows);
        for (int i = 0; i < rows; i++) {
            s[i] = calibration.apply(s[i]);
        }
        return s;
    }

    @Override
    public ModelFormat format() {
        return ModelFormat.MODEL_FORMAT_ONNX;
    }

    @Override
    public byte[] artifact() {
        byte[] bytes = onnx;
        if (bytes == null) {
            if (calibration instanceof ScoreCalibration.Sigmoid sigmoid) {
                LinearScore folded = score.scaled(sigmoid.a(), sigmoid.b());
                bytes = OnnxLinearGraph.logistic(folded.w(), folded.b());
            } else {
                bytes = OnnxLinearGraph.isotonic(score.w(), score.b(), (ScoreCalibration.Isotonic) calibration);
            }
            onnx = bytes;
        }
        return bytes.clone();
    }

    @Override
    public Map<String, String> facts() {
        return facts;
    }

    @Override
    public void close() {
        // Nothing native.
    }
}
