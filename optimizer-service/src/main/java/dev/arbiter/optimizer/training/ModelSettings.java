package dev.arbiter.optimizer.training;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.proto.v1.CalibrationMethod;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import java.util.Map;

/**
 * A checked ModelTrainingConfig: the kind, the calibration actually applied (the kind's default resolved) and every
 * hyperparameter's value.
 *
 * <p>Calibration: linear kinds accept NONE, PLATT and ISOTONIC, all folded into the exported ONNX graph (the model
 * output stays the positive-class probability model-service requires); the default is PLATT for the linear SVM,
 * whose raw output is a decision value and not a probability, and NONE for logistic regression. Tree kinds output
 * XGBoost's own probabilities (NONE): a calibration map cannot be embedded in an XGBoost model file, so PLATT and
 * ISOTONIC are refused for them.
 */
public record ModelSettings(ModelKind kind, CalibrationMethod calibration, Map<String, Double> hyperparameters) {

    /**
     * Checks a request's model config.
     *
     * @param field the request field of the config, e.g. "spec.model", for refusals
     * @throws dev.arbiter.service.RequestRefused INVALID_ARGUMENT naming the field and the fix
     */
    public static ModelSettings of(ModelTrainingConfig config, String field) {
        ModelKind kind = config.getKind();
        if (kind == ModelKind.MODEL_KIND_UNSPECIFIED || kind == ModelKind.UNRECOGNIZED) {
            throw invalid(field + ".kind", field + ".kind is " + (kind == ModelKind.UNRECOGNIZED
                    ? "the unknown value " + config.getKindValue() : "not set")
                    + "; send MODEL_KIND_GRADIENT_BOOSTED_TREES, MODEL_KIND_RANDOM_FOREST, MODEL_KIND_LOGISTIC_REGRESSION"
                    + " or MODEL_KIND_LINEAR_SVM");
        }
        CalibrationMethod calibration = config.getCalibration();
        if (calibration == CalibrationMethod.UNRECOGNIZED) {
            throw invalid(field + ".calibration", field + ".calibration is the unknown value "
                    + config.getCalibrationValue() + "; send NONE, PLATT, ISOTONIC or UNSPECIFIED for the kind's default");
        }
        boolean linear = isLinear(kind);
        if (calibration == CalibrationMethod.CALIBRATION_METHOD_UNSPECIFIED) {
            calibration = kind == ModelKind.MODEL_KIND_LINEAR_SVM
                    ? CalibrationMethod.CALIBRATION_METHOD_PLATT : CalibrationMethod.CALIBRATION_METHOD_NONE;
        }
        if (!linear && calibration != CalibrationMethod.CALIBRATION_METHOD_NONE) {
            throw invalid(field + ".calibration", field + ".calibration is " + calibration + " but " + kind
                    + " is exported as an XGBoost model, which cannot carry a calibration map, and already outputs"
                    + " probabilities; send CALIBRATION_METHOD_NONE (or UNSPECIFIED), or calibrate a linear kind");
        }
        if (kind == ModelKind.MODEL_KIND_LINEAR_SVM && calibration == CalibrationMethod.CALIBRATION_METHOD_NONE) {
            throw invalid(field + ".calibration", field + ".calibration is NONE but a linear SVM outputs decision"
                    + " values, not probabilities, and model-service serves only probabilities; send PLATT (the"
                    + " default) or ISOTONIC");
        }
        Map<String, Double> params = Hyperparameters.resolve(kind, config.getHyperparametersMap(),
                field + ".hyperparameters");
        return new ModelSettings(kind, calibration, params);
    }

    /** True for the kinds trained as linear scores and exported as ONNX. */
    public static boolean isLinear(ModelKind kind) {
        return kind == ModelKind.MODEL_KIND_LOGISTIC_REGRESSION || kind == ModelKind.MODEL_KIND_LINEAR_SVM;
    }

    /** A hyperparameter's value. */
    public double get(String name) {
        Double v = hyperparameters.get(name);
        if (v == null) {
            throw new IllegalArgumentException(kind + " has no hyperparameter " + name);
        }
        return v;
    }

    /** A whole-number hyperparameter's value. */
    public int getInt(String name) {
        return (int) get(name);
    }
}
