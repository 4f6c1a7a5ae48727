package dev.arbiter.model.runtime;

import java.util.List;

/**
 * A binary XGBoost tree ensemble evaluated in Java over flat primitive arrays: xgboost4j's own single-row predict
 * costs tens of microseconds of JNI and DMatrix set-up, this a few. Thread-safe, and a prediction allocates nothing.
 *
 * <p>It reproduces XGBoost's CPU predictor bit for bit: features are cast to float32 and a split sends a row left when
 * {@code x < threshold}; NaN (missing) follows the split's default direction; leaf values are added in float32, tree by
 * tree, to the base margin; the probability is {@code sigmoid(margin)} (computed in double).
 */
final class FlatTreeEnsemble implements ModelRuntime {

    private final int inputCount;
    private final float baseMargin;
    private final Trees trees;

    /** Lays the trees out as {@link CompleteTrees} when they fit, else as {@link LinkedTrees}. */
    FlatTreeEnsemble(int inputCount, float baseMargin, List<XGBoostTree> trees) {
        this.inputCount = inputCount;
        this.baseMargin = baseMargin;
        this.trees = CompleteTrees.canHold(trees) ? new CompleteTrees(trees, inputCount) : new LinkedTrees(trees);
    }

    @Override
    public int inputCount() {
        return inputCount;
    }

    @Override
    public boolean acceptsMissing() {
        return true;
    }

    int treeCount() {
        return trees.count();
    }

    /** Which layout serves this model (for tests and diagnostics). */
    Class<? extends Trees> layout() {
        return trees.getClass();
    }

    @Override
    public double predict(double[] row) {
        if (row.length != inputCount) {
            throw new IllegalArgumentException("row has " + row.length + " values; this model takes " + inputCount);
        }
        return sigmoid(trees.margin(row, 0, baseMargin));
    }

    @Override
    public void predictBatch(double[] rows, int n, double[] out) {
        RowChecks.checkBatch(rows, n, out, inputCount);
        for (int i = 0; i < n; i++) {
            out[i] = sigmoid(trees.margin(rows, i * inputCount, baseMargin));
        }
    }

    /** The raw score (log-odds) of the row starting at {@code rows[offset]}, as XGBoost computes it in float32. */
    float margin(double[] rows, int offset) {
        return trees.margin(rows, offset, baseMargin);
    }

    static double sigmoid(double margin) {
        return 1.0 / (1.0 + Math.exp(-margin));
    }

    @Override
    public void close() {
        // heap arrays only
    }
}
