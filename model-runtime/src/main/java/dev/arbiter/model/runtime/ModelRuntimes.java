package dev.arbiter.model.runtime;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Loads model artifacts into {@link ModelRuntime}s: the one place that decides how each format is served. */
public final class ModelRuntimes {

    private static final int WARM_UP_ROWS = 8;
    private static final double BATCH_TOLERANCE = 1e-4;

    private ModelRuntimes() {
    }

    /**
     * Parses, checks (input count vs inputFeatureNames, output shape) and warms up (a few predictions) the artifact.
     *
     * @throws ModelLoadException if the artifact cannot be served; the message says why
     */
    public static ModelRuntime load(ModelArtifact artifact) throws ModelLoadException {
        checkCommonFields(artifact);
        ModelRuntime runtime = switch (artifact.format()) {
            case ONNX -> OnnxModelRuntime.load(artifact);
            case XGBOOST_JSON, XGBOOST_UBJ -> XGBoostArtifacts.load(artifact);
        };
        try {
            warmUp(runtime);
            return runtime;
        } catch (ModelLoadException | RuntimeException e) {
            runtime.close();
            if (e instanceof ModelLoadException load) {
                throw load;
            }
            throw new ModelLoadException("the model fails on its first predictions: " + e.getMessage(), e);
        }
    }

    private static void checkCommonFields(ModelArtifact artifact) throws ModelLoadException {
        if (artifact == null) {
            throw new ModelLoadException("no artifact was given");
        }
        if (artifact.format() == null) {
            throw new ModelLoadException("the artifact has no format; use one of ONNX, XGBOOST_JSON, XGBOOST_UBJ");
        }
        if (artifact.bytes() == null || artifact.bytes().length == 0) {
            throw new ModelLoadException("the artifact is empty (0 bytes); upload the model file");
        }
        List<String> names = artifact.inputFeatureNames();
        if (names == null || names.isEmpty()) {
            throw new ModelLoadException("inputFeatureNames is empty; list the feature of each input column, in order");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name == null || name.isBlank()) {
                throw new ModelLoadException("inputFeatureNames[" + i + "] is blank; name every input column");
            }
            if (!seen.add(name)) {
                throw new ModelLoadException("inputFeatureNames lists \"" + name + "\" twice (again at position " + i
                        + "); each input column needs its own feature");
            }
        }
    }

    /**
     * Runs a few rows one by one and as a batch, so JNI paths, thread-local tensors and lazily initialised kernels are
     * ready before the first request, and a model that returns NaN or disagrees with itself is refused.
     */
    private static void warmUp(ModelRuntime runtime) throws ModelLoadException {
        int k = runtime.inputCount();
        double[] rows = new double[WARM_UP_ROWS * k];
        Random random = new Random(7L);
        for (int i = k; i < rows.length; i++) { // row 0 stays all zeros
            rows[i] = random.nextGaussian();
        }
        if (runtime.acceptsMissing()) {
            for (int i = k; i < 2 * k; i++) {
                rows[i] = Double.NaN;
            }
        }
        double[] batch = new double[WARM_UP_ROWS];
        runtime.predictBatch(rows, WARM_UP_ROWS, batch);
        double[] row = new double[k];
        for (int r = 0; r < WARM_UP_ROWS; r++) {
            System.arraycopy(rows, r * k, row, 0, k);
            double single = runtime.predict(row);
            if (!Double.isFinite(single)) {
                throw new ModelLoadException("the model returns " + single + " for " + (r == 0 ? "a row of zeros"
                        : "warm-up row " + r) + "; it cannot be served");
            }
            if (!(Math.abs(single - batch[r]) <= BATCH_TOLERANCE * Math.max(1.0, Math.abs(single)))) {
                throw new ModelLoadException("the model gives " + single + " for warm-up row " + r + " alone but "
                        + batch[r] + " in a batch; its batch dimension is not the first");
            }
        }
    }
}
