package dev.arbiter.bench;

import dev.arbiter.model.runtime.ArtifactFormat;
import dev.arbiter.model.runtime.ModelArtifact;
import dev.arbiter.model.runtime.ModelLoadException;
import dev.arbiter.model.runtime.ModelRuntime;
import dev.arbiter.model.runtime.ModelRuntimes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Single-row predictions in-process, one row of 20 features per operation, through model-service's
 * {@link ModelRuntimes} and, as the baseline, through xgboost4j itself.
 *
 * <p>The models are trained at setup on seeded synthetic data (5,000 rows; 5% missing values for XGBoost): a gbtree
 * of 200 trees of depth 6 (binary:logistic), a random forest (num_parallel_tree 100, one round, depth 6), and, exported
 * by Tribuo to ONNX, a logistic regression and a LibLinear linear SVM. The ensemble is the four of them combined as a
 * weighted mean (the SVM contributes its decision value: only the cost is measured here). Each operation takes the
 * next of 1,024 pre-generated rows, so branch predictors do not learn one row.
 *
 * <p>xgboost4j has two ways to score one row: a {@link DMatrix} per row, then {@code predict} (the usual API), and
 * {@code inplace_predict} on a float array (no DMatrix). Both are measured.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ModelPredictBenchmark {

    static final int FEATURES = 20;
    static final int TRAINING_ROWS = 5_000;
    static final int ROWS = 1_024;

    /** The trained models, loaded once per fork. */
    @State(Scope.Benchmark)
    public static class Models {
        Booster booster;
        ModelRuntime gbtree;
        ModelRuntime forest;
        ModelRuntime logisticRegression;
        ModelRuntime svm;
        ModelRuntime[] members;
        double[] weights = {0.3, 0.2, 0.3, 0.2};
        /** Rows with missing values (XGBoost), row-major. */
        double[][] rowsWithMissing;
        float[][] floatRowsWithMissing;
        /** Rows without (ONNX and the ensemble). */
        double[][] rows;

        @Setup(org.openjdk.jmh.annotations.Level.Trial)
        public void setUp() throws XGBoostError, ModelLoadException {
            Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
            double[][] train = rows(1L, TRAINING_ROWS, 0.05);
            float[] labels = labels(train);
            booster = trainXGBoost(train, labels, 200, Map.of("max_depth", 6, "eta", 0.1));
            Booster forestBooster = trainXGBoost(train, labels, 1, Map.of("max_depth", 6, "eta", 1.0,
                    "num_parallel_tree", 100, "subsample", 0.8, "colsample_bynode", 0.8));
            gbtree = ModelRuntimes.load(artifact(ArtifactFormat.XGBOOST_UBJ, booster.toByteArray("ubj"), 1));
            forest = ModelRuntimes.load(artifact(ArtifactFormat.XGBOOST_UBJ, forestBooster.toByteArray("ubj"), 1));
            forestBooster.dispose();

            double[][] clean = rows(2L, TRAINING_ROWS, 0);
            MutableDataset<Label> dataset = dataset(clean, labels(clean));
            logisticRegression = loadOnnx(new LogisticRegressionTrainer().train(dataset));
            svm = loadOnnx(new LibLinearClassificationTrainer().train(dataset));
            members = new ModelRuntime[] {logisticRegression, svm, gbtree, forest};

            rowsWithMissing = rows(3L, ROWS, 0.05);
            floatRowsWithMissing = new float[ROWS][FEATURES];
            for (int r = 0; r < ROWS; r++) {
                for (int f = 0; f < FEATURES; f++) {
                    floatRowsWithMissing[r][f] = (float) rowsWithMissing[r][f];
                }
            }
            rows = rows(4L, ROWS, 0);
        }

        @TearDown(org.openjdk.jmh.annotations.Level.Trial)
        public void tearDown() {
            for (ModelRuntime member : members) {
                member.close();
            }
            booster.dispose();
        }
    }

    /** Which row a thread scores next. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int advance() {
            next = (next + 1) & (ROWS - 1);
            return next;
        }
    }

    @Benchmark
    public float xgboost4jDMatrixPredict(Models m, Cursor c) throws XGBoostError {
        DMatrix matrix = new DMatrix(m.floatRowsWithMissing[c.advance()], 1, FEATURES, Float.NaN);
        try {
            return m.booster.predict(matrix)[0][0];
        } finally {
            matrix.dispose();
        }
    }

    @Benchmark
    public float xgboost4jInplacePredict(Models m, Cursor c) throws XGBoostError {
        return m.booster.inplace_predict(m.floatRowsWithMissing[c.advance()], 1, FEATURES, Float.NaN)[0][0];
    }

    @Benchmark
    public double flatGbtree200(Models m, Cursor c) {
        return m.gbtree.predict(m.rowsWithMissing[c.advance()]);
    }

    @Benchmark
    public double flatRandomForest100(Models m, Cursor c) {
        return m.forest.predict(m.rowsWithMissing[c.advance()]);
    }

    @Benchmark
    public double onnxLogisticRegression(Models m, Cursor c) {
        return m.logisticRegression.predict(m.rows[c.advance()]);
    }

    @Benchmark
    public double onnxLinearSvm(Models m, Cursor c) {
        return m.svm.predict(m.rows[c.advance()]);
    }

    @Benchmark
    public double ensembleOfFour(Models m, Cursor c) {
        double[] row = m.rows[c.advance()];
        double sum = 0;
        double weights = 0;
        for (int i = 0; i < m.members.length; i++) {
            sum += m.weights[i] * m.members[i].predict(row);
            weights += m.weights[i];
        }
        return sum / weights;
    }

    /** Seeded Gaussian rows; {@code missing} of the values are NaN. */
    static double[][] rows(long seed, int n, double missing) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] rows = new double[n][FEATURES];
        for (double[] row : rows) {
            for (int f = 0; f < FEATURES; f++) {
                row[f] = random.nextDouble() < missing ? Double.NaN : gaussian(random);
            }
        }
        return rows;
    }

    /** A non-linear rule plus noise (the noise comes from the row's last features, so the labels are seeded too). */
    static float[] labels(double[][] rows) {
        float[] labels = new float[rows.length];
        for (int r = 0; r < rows.length; r++) {
            double[] x = rows[r];
            double score = v(x[0]) + 0.8 * v(x[1]) * v(x[2]) - Math.abs(v(x[3])) + Math.sin(2 * v(x[4]))
                    + 0.3 * v(x[5]) + 0.5 + 0.7 * v(x[19]);
            labels[r] = score > 0 ? 1f : 0f;
        }
        return labels;
    }

    private static double v(double x) {
        return Double.isNaN(x) ? 0 : x;
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double w = random.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * w);
    }

    static Booster trainXGBoost(double[][] rows, float[] labels, int rounds, Map<String, Object> extra)
            throws XGBoostError {
        float[] flat = new float[rows.length * FEATURES];
        for (int r = 0; r < rows.length; r++) {
            for (int f = 0; f < FEATURES; f++) {
                flat[r * FEATURES + f] = (float) rows[r][f];
            }
        }
        DMatrix matrix = new DMatrix(flat, rows.length, FEATURES, Float.NaN);
        matrix.setLabel(labels);
        Map<String, Object> params = new HashMap<>(extra);
        params.put("objective", "binary:logistic");
        params.put("tree_method", "hist");
        params.put("seed", 42);
        params.put("nthread", 1);
        params.put("verbosity", 0);
        try {
            return XGBoost.train(matrix, params, rounds, new HashMap<>(), null, null);
        } finally {
            matrix.dispose();
        }
    }

    static MutableDataset<Label> dataset(double[][] rows, float[] labels) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance("synthetic", factory), factory);
        String[] names = featureNames().toArray(String[]::new);
        for (int r = 0; r < rows.length; r++) {
            dataset.add(new ArrayExample<>(new Label(labels[r] > 0 ? "up" : "down"), names, rows[r]));
        }
        return dataset;
    }

    static ModelRuntime loadOnnx(Model<Label> model) throws ModelLoadException {
        byte[] bytes = ((ONNXExportable) model).exportONNXModel("dev.arbiter", 1L).toByteArray();
        return ModelRuntimes.load(artifact(ArtifactFormat.ONNX, bytes, model.getOutputIDInfo().getID(new Label("up"))));
    }

    static ModelArtifact artifact(ArtifactFormat format, byte[] bytes, int positiveIndex) {
        return new ModelArtifact(format, bytes, featureNames(), "", positiveIndex);
    }

    /** f00 … f19: Tribuo numbers features by sorted name, which keeps them in column order. */
    static List<String> featureNames() {
        List<String> names = new ArrayList<>();
        for (int f = 0; f < FEATURES; f++) {
            names.add(String.format("f%02d", f));
        }
        return names;
    }
}
