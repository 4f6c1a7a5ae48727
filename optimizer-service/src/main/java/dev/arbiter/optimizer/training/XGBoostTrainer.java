package dev.arbiter.optimizer.training;

import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelKind;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Gradient-boosted trees and random forests with xgboost4j, objective {@code binary:logistic}. The random forest is
 * XGBoost's random-forest mode: {@code num_parallel_tree} trees in one round with learning rate 1, rows subsampled
 * per tree and features per split, so its output is the averaged trees' probability. Both are saved as XGBoost JSON,
 * which model-service's flat evaluator serves bit for bit.
 */
final class XGBoostTrainer {

    /** Boosting rounds between two progress reports: about twenty reports per fit. */
    private static final int REPORTS = 20;

    private XGBoostTrainer() {
    }

    static TrainedModel train(ModelSettings settings, TrainingData train, TrainingData validation, long seed,
                              ProgressListener listener) {
        boolean forest = settings.kind() == ModelKind.MODEL_KIND_RANDOM_FOREST;
        Map<String, Object> params = params(settings, seed, forest);
        int rounds = forest ? 1 : settings.getInt("n_estimators");
        DMatrix dtrain = null;
        DMatrix dvalidation = null;
        Booster booster = null;
        boolean kept = false;
        try {
            dtrain = matrix(train);
            DMatrix[] watched;
            String[] names;
            if (validation != null && validation.rows() > 0) {
                dvalidation = matrix(validation);
                watched = new DMatrix[] {dtrain, dvalidation};
                names = new String[] {"train", "validation"};
            } else {
                watched = new DMatrix[] {dtrain};
                names = new String[] {"train"};
            }
            Map<String, DMatrix> caches = new LinkedHashMap<>();
            for (int i = 0; i < watched.length; i++) {
                caches.put(names[i], watched[i]);
            }
            booster = XGBoost.train(dtrain, params, 0, caches, null, null);
            int every = Math.max(1, rounds / REPORTS);
            float[] losses = new float[watched.length];
            for (int round = 0; round < rounds; round++) {
                if (listener.cancelled()) {
                    throw new TrainingCancelled();
                }
                booster.update(dtrain, round);
                if ((round + 1) % every == 0 || round + 1 == rounds) {
                    booster.evalSet(watched, names, round, losses);
                    listener.progress(round + 1, rounds, losses[0], watched.length > 1 ? losses[1] : Double.NaN,
                            (forest ? "grew " + settings.getInt("n_estimators") + " trees" : "boosting round " + (round + 1)
                                    + " of " + rounds));
                }
            }
            byte[] json = booster.toByteArray("json");
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("library", "xgboost4j");
            facts.put("objective", "binary:logistic");
            facts.put("trees", Integer.toString(forest ? settings.getInt("n_estimators") : rounds));
            XGBoostModel model = new XGBoostModel(settings, train.cols(), booster, json, facts);
            kept = true;
            return model;
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost failed to train: " + e.getMessage(), e);
        } finally {
            if (dtrain != null) {
                dtrain.dispose();
            }
            if (dvalidation != null) {
                dvalidation.dispose();
            }
            if (!kept && booster != null) {
                booster.dispose();
            }
        }
    }

    private static Map<String, Object> params(ModelSettings s, long seed, boolean forest) {
        Map<String, Object> p = new HashMap<>();
        p.put("objective", "binary:logistic");
        p.put("eval_metric", "logloss");
        p.put("tree_method", "hist");
        p.put("seed", (int) (seed ^ (seed >>> 32)));
        p.put("nthread", s.getInt("threads"));
        p.put("verbosity", 0);
        p.put("max_depth", s.getInt("max_depth"));
        p.put("subsample", s.get("subsample"));
        p.put("min_child_weight", s.get("min_child_weight"));
        p.put("lambda", s.get("lambda"));
        if (forest) {
            p.put("eta", 1.0);
            p.put("num_parallel_tree", s.getInt("n_estimators"));
            p.put("colsample_bynode", s.get("colsample_bynode"));
        } else {
            p.put("eta", s.get("eta"));
            p.put("colsample_bytree", s.get("colsample_bytree"));
            p.put("alpha", s.get("alpha"));
            p.put("gamma", s.get("gamma"));
        }
        return p;
    }

    static DMatrix matrix(TrainingData data) throws XGBoostError {
        DMatrix m = matrix(data.x(), data.rows(), data.cols());
        float[] labels = new float[data.rows()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.labels()[i];
        }
        m.setLabel(labels);
        return m;
    }

    static DMatrix matrix(double[] x, int rows, int cols) throws XGBoostError {
        float[] f = new float[rows * cols];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) x[i];
        }
        return new DMatrix(f, rows, cols, Float.NaN);
    }

    /** A booster in memory and its JSON. */
    static final class XGBoostModel implements TrainedModel {
        private final ModelSettings settings;
        private final int cols;
        private final Booster booster;
        private final byte[] json;
        private final Map<String, String> facts;

        XGBoostModel(ModelSettings settings, int cols, Booster booster, byte[] json, Map<String, String> facts) {
            this.settings = settings;
            this.cols = cols;
            this.booster = booster;
            this.json = json;
            this.facts = Map.copyOf(facts);
        }

        @Override
        public ModelSettings settings() {
            return settings;
        }

        @Override
        public int cols() {
            return cols;
        }

        @Override
        public double[] predict(double[] x, int rows) {
            if (x.length != (long) rows * cols) {
                throw new IllegalArgumentException("x has " + x.length + " values, not rows × cols = " + rows + " × " + cols);
            }
            if (rows == 0) {
                return new double[0];
            }
            DMatrix m = null;
            try {
                m = matrix(x, rows, cols);
                float[][] p = booster.predict(m);
                double[] out = new double[rows];
                for (int i = 0; i < rows; i++) {
                    out[i] = p[i][0];
                }
                return out;
            } catch (XGBoostError e) {
                throw new IllegalStateException("XGBoost failed to predict: " + e.getMessage(), e);
            } finally {
                if (m != null) {
                    m.dispose();
                }
            }
        }

        @Override
        public ModelFormat format() {
            return ModelFormat.MODEL_FORMAT_XGBOOST_JSON;
        }

        @Override
        public byte[] artifact() {
            return json.clone();
        }

        @Override
        public Map<String, String> facts() {
            return facts;
        }

        @Override
        public void close() {
            booster.dispose();
        }
    }
}
