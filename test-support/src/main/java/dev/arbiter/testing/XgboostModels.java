package dev.arbiter.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/**
 * Small real XGBoost models for a model-service under test, trained here with xgboost4j (the module's tests declare
 * the dependency) and answered as XGBoost JSON bytes to upload. (The upload itself is each module's: this module has
 * no generated gRPC classes, the services generate their own from the proto jar.)
 */
public final class XgboostModels {

    /** Inputs of the "trend" member. */
    public static final List<String> TREND_INPUTS = List.of("vol_10", "vol_20", "roc_10", "efficiency_ratio_14", "drawdown", "vol_cluster_10_50");
    /** Inputs of the "shape" member. */
    public static final List<String> SHAPE_INPUTS = List.of("roc_10", "mom_10", "skew_50", "kurt_50", "atr_14", "efficiency_ratio_14", "dow_sin", "dow_cos");
    /** The meta model's inputs: the ensemble's probability and agreement (engine MetaGate.INPUTS) and a feature. */
    public static final List<String> META_INPUTS = List.of("ensemble_probability", "ensemble_agreement", "vol_20");

    private XgboostModels() {}

    /** An XGBoost model of {@code inputs} inputs that answers {@code probability} for every row (learning rate 0). */
    public static byte[] constant(int inputs, double probability) throws Exception {
        int n = 8;
        float[] x = new float[n * inputs];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i * inputs] = i;
            y[i] = i % 2;
        }
        return fit(x, y, n, inputs, 1, 1, Map.of("base_score", probability, "eta", 0.0));
    }

    /**
     * A binary:logistic booster of {@code rounds} trees of {@code depth} on {@code n} rows of {@code columns}
     * (row-major {@code x}, labels {@code y}), seed 42, one thread, {@code extra} parameters over those; as XGBoost JSON.
     */
    public static byte[] fit(float[] x, float[] y, int n, int columns, int depth, int rounds, Map<String, Object> extra)
            throws Exception {
        DMatrix matrix = new DMatrix(x, n, columns, Float.NaN);
        matrix.setLabel(y);
        Map<String, Object> params = new HashMap<>();
        params.put("objective", "binary:logistic");
        params.put("tree_method", "hist");
        params.put("max_depth", depth);
        params.put("eta", 0.3);
        params.put("seed", 42);
        params.put("nthread", 1);
        params.put("verbosity", 0);
        params.putAll(extra);
        try {
            Booster booster = XGBoost.train(matrix, params, rounds, new HashMap<>(), null, null);
            try {
                return booster.toByteArray("json");
            } finally {
                booster.dispose();
            }
        } finally {
            matrix.dispose();
        }
    }
}
