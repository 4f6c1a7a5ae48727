package dev.arbiter.model.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded binary-classification rows: {@link #FEATURES} columns, a non-linear label, optionally some missing values. */
public final class SyntheticData {

    static final int FEATURES = 20;

    /** Row-major, {@code n × FEATURES}. */
    final double[] rows;
    /** 1 for the positive class, else 0. */
    final float[] labels;
    final int n;

    private SyntheticData(double[] rows, float[] labels, int n) {
        this.rows = rows;
        this.labels = labels;
        this.n = n;
    }

    /** {@code missingRate} of the values are NaN; the label ignores a missing value. */
    public static SyntheticData generate(long seed, int n, double missingRate) {
        Random random = new Random(seed);
        double[] rows = new double[n * FEATURES];
        float[] labels = new float[n];
        for (int r = 0; r < n; r++) {
            for (int f = 0; f < FEATURES; f++) {
                rows[r * FEATURES + f] = random.nextDouble() < missingRate ? Double.NaN : random.nextGaussian();
            }
            double score = x(rows, r, 0) + 0.8 * x(rows, r, 1) * x(rows, r, 2) - Math.abs(x(rows, r, 3))
                    + Math.sin(2 * x(rows, r, 4)) + 0.3 * x(rows, r, 5) - 0.3 * x(rows, r, 6) + 0.5
                    + 0.7 * random.nextGaussian();
            labels[r] = score > 0 ? 1f : 0f;
        }
        return new SyntheticData(rows, labels, n);
    }

    /** Wraps existing rows; labels are all 0. */
    static SyntheticData wrap(double[] rows, int n) {
        return new SyntheticData(rows, new float[n], n);
    }

    private static double x(double[] rows, int r, int f) {
        double v = rows[r * FEATURES + f];
        return Double.isNaN(v) ? 0 : v;
    }

    double[] row(int r) {
        double[] row = new double[FEATURES];
        System.arraycopy(rows, r * FEATURES, row, 0, FEATURES);
        return row;
    }

    float[] rowsAsFloats() {
        float[] floats = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            floats[i] = (float) rows[i];
        }
        return floats;
    }

    /** f00 … f19: sorted by name they stay in column order, which is how Tribuo numbers features. */
    public static List<String> featureNames() {
        List<String> names = new ArrayList<>();
        for (int f = 0; f < FEATURES; f++) {
            names.add(String.format("f%02d", f));
        }
        return names;
    }
}
