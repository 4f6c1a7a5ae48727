package dev.arbiter.model.runtime;

import java.util.List;

/**
 * Trees of any shape as linked nodes in one array; a walk follows child indices until it reaches a leaf. Used for the
 * trees {@link CompleteTrees} cannot hold (deeper than {@link CompleteTrees#MAX_DEPTH}, e.g. loss-guided growth).
 */
final class LinkedTrees implements Trees {

    private static final int LEAF = -1;
    private static final int STRIDE = 4;

    private final int[] roots;
    /** Per node, {@link #STRIDE} ints: split feature (or {@link #LEAF}), left child, right child, child for missing. */
    private final int[] nodes;
    /** Per node: the threshold of a split, the value of a leaf. */
    private final float[] values;

    LinkedTrees(List<XGBoostTree> trees) {
        int total = trees.stream().mapToInt(XGBoostTree::size).sum();
        roots = new int[trees.size()];
        nodes = new int[total * STRIDE];
        values = new float[total];
        int offset = 0;
        for (int t = 0; t < trees.size(); t++) {
            XGBoostTree tree = trees.get(t);
            roots[t] = offset;
            for (int node = 0; node < tree.size(); node++) {
                int at = (offset + node) * STRIDE;
                values[offset + node] = tree.value()[node];
                if (tree.isLeaf(node)) {
                    nodes[at] = LEAF;
                    continue;
                }
                nodes[at] = tree.feature()[node];
                nodes[at + 1] = offset + tree.left()[node];
                nodes[at + 2] = offset + tree.right()[node];
                nodes[at + 3] = offset + (tree.defaultLeft()[node] ? tree.left()[node] : tree.right()[node]);
            }
            offset += tree.size();
        }
    }

    @Override
    public int count() {
        return roots.length;
    }

    @Override
    public float margin(double[] rows, int offset, float baseMargin) {
        final int[] nodes = this.nodes;
        final float[] values = this.values;
        float sum = baseMargin;
        for (int root : roots) {
            int node = root;
            int feature;
            while ((feature = nodes[node * STRIDE]) != LEAF) {
                float x = (float) rows[offset + feature];
                int at = node * STRIDE;
                // NaN < t is false, so NaN needs its own test to honour a default-left split
                node = x < values[node] ? nodes[at + 1] : (x == x ? nodes[at + 2] : nodes[at + 3]);
            }
            sum += values[node];
        }
        return sum;
    }
}
