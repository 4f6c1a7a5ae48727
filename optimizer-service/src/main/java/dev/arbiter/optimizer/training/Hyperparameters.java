package dev.arbiter.optimizer.training;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ParameterValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hyperparameters each model kind accepts, with their documented defaults and ranges, and the resolution of
 * a request's values against them. Defaults are deliberately conservative (shallow trees, strong leaf minimums,
 * regularised linear models) because labels on noisy series are mostly noise: they favour calibrated
 * probabilities over fitting the training window.
 */
public final class Hyperparameters {

    /**
     * One hyperparameter.
     *
     * @param name         its name in ModelTrainingConfig.hyperparameters
     * @param integer      true when only whole numbers are accepted
     * @param defaultValue its value when absent
     * @param min          smallest accepted value
     * @param minExclusive true when {@code min} itself is refused
     * @param max          largest accepted value (inclusive)
     * @param description  what it does, one line
     */
    public record Spec(String name, boolean integer, double defaultValue, double min, boolean minExclusive, double max,
                       String description) {
        String range() {
            return (minExclusive ? "(" : "[") + format(min) + ", " + format(max) + "]";
        }
    }

    private static final Map<ModelKind, Map<String, Spec>> SPECS = Map.of(
            ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, specs(
                    integer("n_estimators", 200, 1, 5000, "boosting rounds (trees)"),
                    integer("max_depth", 3, 1, 16, "depth of each tree"),
                    real("eta", 0.05, 0, true, 1, "learning rate: shrinkage of each tree's contribution"),
                    real("subsample", 0.8, 0, true, 1, "share of rows sampled for each tree"),
                    real("colsample_bytree", 0.8, 0, true, 1, "share of features sampled for each tree"),
                    real("min_child_weight", 5, 0, false, 1e6, "least hessian sum in a leaf (about rows/4 near p = 0.5)"),
                    real("lambda", 1, 0, false, 1e6, "L2 penalty on leaf weights"),
                    real("alpha", 0, 0, false, 1e6, "L1 penalty on leaf weights"),
                    real("gamma", 0, 0, false, 1e6, "least loss reduction to split"),
                    integer("threads", 1, 1, 64, "XGBoost threads; 1 keeps a busy machine responsive")),
            ModelKind.MODEL_KIND_RANDOM_FOREST, specs(
                    integer("n_estimators", 100, 1, 2000, "trees, grown in parallel in one round (num_parallel_tree)"),
                    integer("max_depth", 6, 1, 16, "depth of each tree"),
                    real("subsample", 0.8, 0, true, 1, "share of rows sampled for each tree (without replacement)"),
                    real("colsample_bynode", 0.3, 0, true, 1,
                            "share of features considered at each split (about √21/21 for the default 21 features)"),
                    real("min_child_weight", 1, 0, false, 1e6, "least hessian sum in a leaf (about rows/4 near p = 0.5)"),
                    real("lambda", 1, 0, false, 1e6, "L2 penalty on leaf weights"),
                    integer("threads", 1, 1, 64, "XGBoost threads; 1 keeps a busy machine responsive")),
            ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, specs(
                    real("c", 1, 0, true, 1e6, "inverse L2 regularisation strength (LibLinear's C) on standardised features"),
                    integer("max_iterations", 1000, 1, 1_000_000, "solver iterations at most"),
                    real("tolerance", 0.01, 0, true, 1, "solver stopping tolerance"),
                    real("calibration_fraction", 0.2, 0, true, 0.5,
                            "latest share of the training rows held out to fit PLATT or ISOTONIC calibration")),
            ModelKind.MODEL_KIND_LINEAR_SVM, specs(
                    real("c", 0.01, 0, true, 1e6, "inverse L2 regularisation strength (LibLinear's C) on standardised features"),
                    integer("max_iterations", 1000, 1, 1_000_000, "solver iterations at most"),
                    real("tolerance", 0.1, 0, true, 1, "solver stopping tolerance (LibLinear's dual solver default)"),
                    real("calibration_fraction", 0.2, 0, true, 0.5,
                            "latest share of the training rows held out to fit PLATT or ISOTONIC calibration")));

    private Hyperparameters() {
    }

    /** The hyperparameters of a kind, by name in documentation order. */
    public static Map<String, Spec> of(ModelKind kind) {
        Map<String, Spec> specs = SPECS.get(kind);
        if (specs == null) {
            throw new IllegalArgumentException("no hyperparameters for " + kind);
        }
        return specs;
    }

    /**
     * The values to train with: every hyperparameter of the kind, given or defaulted.
     *
     * @param field the request field of the map, e.g. "spec.model.hyperparameters", for refusals
     * @throws dev.arbiter.service.RequestRefused INVALID_ARGUMENT for an unknown name (listing the known ones), a
     *     string value, a fraction for an integer, a non-finite value or one out of range
     */
    public static Map<String, Double> resolve(ModelKind kind, Map<String, ParameterValue> given, String field) {
        Map<String, Spec> specs = of(kind);
        for (Map.Entry<String, ParameterValue> e : new TreeMap<>(given).entrySet()) {
            String name = e.getKey();
            String where = field + "[\"" + name + "\"]";
            Spec spec = specs.get(name);
            if (spec == null) {
                throw invalid(where, where + " is not a hyperparameter of " + kind + "; its hyperparameters are "
                        + specs.keySet());
            }
            double v = value(e.getValue(), where);
            if (spec.integer() && v != Math.rint(v)) {
                throw invalid(where, where + " is " + v + " but " + name + " is a whole number; send an int_value in "
                        + spec.range());
            }
            boolean belowMin = spec.minExclusive() ? !(v > spec.min()) : !(v >= spec.min());
            if (belowMin || !(v <= spec.max())) {
                throw invalid(where, where + " is " + format(v) + "; " + name + " (" + spec.description()
                        + ") must lie in " + spec.range());
            }
        }
        Map<String, Double> resolved = new LinkedHashMap<>();
        for (Spec spec : specs.values()) {
            ParameterValue v = given.get(spec.name());
            resolved.put(spec.name(), v == null ? spec.defaultValue() : value(v, field));
        }
        return Collections.unmodifiableMap(resolved);
    }

    private static double value(ParameterValue p, String where) {
        double v = switch (p.getKindCase()) {
            case DOUBLE_VALUE -> p.getDoubleValue();
            case INT_VALUE -> p.getIntValue();
            case STRING_VALUE -> throw invalid(where, where + " is the string \"" + p.getStringValue()
                    + "\"; send a number (double_value or int_value)");
            case KIND_NOT_SET -> throw invalid(where, where + " has no value; send double_value or int_value");
        };
        if (!Double.isFinite(v)) {
            throw invalid(where, where + " is " + v + "; send a finite number");
        }
        return v;
    }

    private static Map<String, Spec> specs(Spec... specs) {
        Map<String, Spec> m = new LinkedHashMap<>();
        for (Spec s : specs) {
            m.put(s.name(), s);
        }
        return Collections.unmodifiableMap(m);
    }

    private static Spec integer(String name, int defaultValue, int min, int max, String description) {
        return new Spec(name, true, defaultValue, min, false, max, description);
    }

    private static Spec real(String name, double defaultValue, double min, boolean minExclusive, double max,
                             String description) {
        return new Spec(name, false, defaultValue, min, minExclusive, max, description);
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
