package dev.arbiter.model.runtime;

/**
 * One XGBoost regression tree as read from the model JSON, before it is laid out for evaluation. Node 0 is the root;
 * a node whose left child is -1 is a leaf, and its {@code value} is the leaf value (already scaled by the tree's weight),
 * otherwise {@code value} is the split threshold: a row goes left when {@code (float) x < value}, and a missing x
 * goes left when {@code defaultLeft}.
 */
record XGBoostTree(int[] left, int[] right, int[] feature, float[] value, boolean[] defaultLeft) {

    int size() {
        return left.length;
    }

    boolean isLeaf(int node) {
        return left[node] == -1;
    }

    /** The number of splits on the longest path from the root to a leaf. */
    int depth() {
        int[] depthOf = new int[size()];
        int deepest = 0;
        int[] stack = new int[size()];
        int top = 0;
        stack[top++] = 0;
        while (top > 0) {
            int node = stack[--top];
            deepest = Math.max(deepest, depthOf[node]);
            if (!isLeaf(node)) {
                depthOf[left[node]] = depthOf[node] + 1;
                depthOf[right[node]] = depthOf[node] + 1;
                stack[top++] = left[node];
                stack[top++] = right[node];
            }
        }
        return deepest;
    }
}
