package dev.arbiter.optimizer.training;

/**
 * A linear score on raw features, {@code s = w·x + b}: logistic regression's log-odds, or the SVM's decision value.
 *
 * @param w one weight per feature column
 * @param b the intercept
 */
public record LinearScore(double[] w, double b) {

    /** Scores of {@code rows} row-major rows. */
    public double[] scores(double[] x, int rows) {
        int cols = w.length;
        if (x.length != (long) rows * cols) {
            throw new IllegalArgumentException("x has " + x.length + " values, not rows × cols = " + rows + " × " + cols);
        }
        double[] s = new double[rows];
        for (int r = 0; r < rows; r++) {
            double v = b;
            int offset = r * cols;
            for (int j = 0; j < cols; j++) {
                v += w[j] * x[offset + j];
            }
            s[r] = v;
        }
        return s;
    }

    /** {@code a·s + c} as a score of its own: how a sigmoid calibration folds in. */
    LinearScore scaled(double a, double c) {
        double[] scaled = new double[w.length];
        for (int j = 0; j < w.length; j++) {
            scaled[j] = a * w[j];
        }
        return new LinearScore(scaled, a * b + c);
    }
}
