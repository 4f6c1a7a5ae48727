package dev.arbiter.model.runtime;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

import java.util.HashMap;
import java.util.Map;

/** Trains small XGBoost models in tests, deterministically. */
public final class XGBoostTraining {

    private XGBoostTraining() {
    }

    /** 200 boosted trees of depth 6, binary:logistic. */
    public static Map<String, Object> gbtree() {
        Map<String, Object> params = base("binary:logistic");
        params.put("max_depth", 6);
        params.put("eta", 0.1);
        return params;
    }

    /** Random-forest mode: 100 parallel trees in one round, row and column subsampling. */
    public static Map<String, Object> randomForest() {
        Map<String, Object> params = base("binary:logistic");
        params.put("max_depth", 6);
        params.put("eta", 1.0);
        params.put("num_parallel_tree", 100);
        params.put("subsample", 0.8);
        params.put("colsample_bynode", 0.8);
        return params;
    }

    public static Map<String, Object> base(String objective) {
        Map<String, Object> params = new HashMap<>();
        params.put("objective", objective);
        params.put("tree_method", "hist");
        params.put("seed", 42);
        params.put("nthread", 1); // OpenMP threads spin when the machine is busy; one thread is faster and as deterministic
        params.put("verbosity", 0);
        return params;
    }

    public static Booster train(SyntheticData data, Map<String, Object> params, int rounds) throws XGBoostError {
        DMatrix matrix = matrix(data);
        matrix.setLabel(data.labels);
        try {
            return XGBoost.train(matrix, params, rounds, new HashMap<>(), null, null);
        } finally {
            matrix.dispose();
        }
    }

    public static DMatrix matrix(SyntheticData data) throws XGBoostError {
        return new DMatrix(data.rowsAsFloats(), data.n, SyntheticData.FEATURES, Float.NaN);
    }

    /** xgboost4j's own output (probability, or margin for binary:logitraw) for every row. */
    public static float[] predict(Booster booster, SyntheticData data) throws XGBoostError {
        return predict(booster, data, false);
    }

    /** xgboost4j's output, or with {@code margin} its raw score before the sigmoid. */
    public static float[] predict(Booster booster, SyntheticData data, boolean margin) throws XGBoostError {
        DMatrix matrix = matrix(data);
        try {
            float[][] predictions = booster.predict(matrix, margin);
            float[] flat = new float[predictions.length];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = predictions[i][0];
            }
            return flat;
        } finally {
            matrix.dispose();
        }
    }
}
