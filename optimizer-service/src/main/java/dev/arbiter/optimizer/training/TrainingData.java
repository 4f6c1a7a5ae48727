package dev.arbiter.optimizer.training;

/**
 * Rows to train or evaluate on, in time order: row-major features and 0/1 labels. Arrays are not copied.
 *
 * @param x      row-major {@code rows × cols}; NaN is a missing value for tree kinds and refused by linear kinds
 * @param rows   examples
 * @param cols   features per example
 * @param labels 1 positive, 0 negative, one per row
 * @param embargo rows to skip between a fitting part and a later held-out part cut from these rows (the label
 *               horizon), so that the held-out labels do not overlap the fitted ones; 0 = none
 */
public record TrainingData(double[] x, int rows, int cols, int[] labels, int embargo) {

    public TrainingData {
        if (rows < 0 || cols < 1 || x.length != (long) rows * cols) {
            throw new IllegalArgumentException("x has " + x.length + " values but rows × cols is " + rows + " × " + cols);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException(labels.length + " labels for " + rows + " rows; pass one label per row");
        }
        for (int i = 0; i < rows; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("labels[" + i + "] is " + labels[i] + "; labels are 0 or 1");
            }
        }
        if (embargo < 0) {
            throw new IllegalArgumentException("embargo is " + embargo + "; pass 0 or more rows");
        }
    }

    /** Rows {@code [from, to)}. */
    public TrainingData slice(int from, int to) {
        double[] sx = java.util.Arrays.copyOfRange(x, from * cols, to * cols);
        int[] sy = java.util.Arrays.copyOfRange(labels, from, to);
        return new TrainingData(sx, to - from, cols, sy, embargo);
    }

    /** Number of positive labels. */
    public int positives() {
        int p = 0;
        for (int y : labels) {
            p += y;
        }
        return p;
    }
}
