package dev.arbiter.model.runtime;

/**
 * A binary XGBoost tree ensemble in flat primitive arrays, evaluated in Java: xgboost4j's own single-row predict costs
 * tens of microseconds of JNI and DMatrix set-up, a walk over these arrays a few. Immutable, so thread-safe, and a
 * prediction allocates nothing.
 *
 * <p>It reproduces XGBoost's CPU predictor: features are cast to float32 and a split sends a row left when
 * {@code value < threshold}; NaN (missing) follows the node's default direction; leaf values are summed in float32, tree
 * by tree, starting from the base margin; the probability is {@code sigmoid(margin)}.
 */
final class FlatTreeEnsemble implements ModelRuntime {

    /** The split-feature slot of a leaf. */
    static final int LEAF = -1;

    private static final int STRIDE = 4;

    private final int inputCount;
    private final float baseMargin;
    private final int[] roots;
    /** Per node, {@link #STRIDE} ints: split feature (or {@link #LEAF}), left child, right child, child for missing. */
    private final int[] nodes;
    /** Per node: the split threshold, or the leaf value (XGBoost stores both in {@code split_conditions}). */
    private final float[] values;

    /**
     * @param nodes  {@link #STRIDE} ints per node (see the field); children are indices into the whole ensemble
     * @param values per node, the threshold or leaf value
     * @param roots  the node index of each tree's root, in XGBoost's tree order
     */
    FlatTreeEnsemble(int inputCount, float baseMargin, int[] roots, int[] nodes, float[] values) {
        this.inputCount = inputCount;
        this.baseMargin = baseMargin;
        this.roots = roots;
        this.nodes = nodes;
        this.values = values;
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
        return roots.length;
    }

    int nodeCount() {
        return values.length;
    }

    @Override
    public double predict(double[] row) {
        if (row.length != inputCount) {
            throw new IllegalArgumentException("row has " + row.length + " values; this model takes " + inputCount);
        }
        return sigmoid(margin(row, 0));
    }

    @Override
    public void predictBatch(double[] rows, int n, double[] out) {
        RowChecks.checkBatch(rows, n, out, inputCount);
        for (int i = 0; i < n; i++) {
            out[i] = sigmoid(margin(rows, i * inputCount));
        }
    }

    /** The raw score (log-odds) of the row starting at {@code rows[offset]}. */
    float margin(double[] rows, int offset) {
        final int[] nodes = this.nodes;
        final float[] values = this.values;
        float sum = baseMargin;
        for (int root : roots) {
            int node = root;
            int feature;
            while ((feature = nodes[node * STRIDE]) != LEAF) {
                float x = (float) rows[offset + feature];
                int at = node * STRIDE;
                // NaN < t is false, so a missing value takes the right branch unless the node's default says otherwise
                node = x < values[node] ? nodes[at + 1] : (x == x ? nodes[at + 2] : nodes[at + 3]);
            }
            sum += values[node];
        }
        return sum;
    }

    static double sigmoid(double margin) {
        return 1.0 / (1.0 + Math.exp(-margin));
    }

    @Override
    public void close() {
        // heap arrays only
    }
}
