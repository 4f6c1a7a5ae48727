package dev.arbiter.optimizer.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** A monotone map from a linear model's score {@code s = w·x + b} to the positive-class probability. */
public sealed interface ScoreCalibration permits ScoreCalibration.Sigmoid, ScoreCalibration.Isotonic {

    /** The probability for score {@code s}. */
    double apply(double s);

    /** Parameters worth recording, e.g. {@code platt_a}. */
    Map<String, String> facts();

    /**
     * {@code p = 1 / (1 + exp(-(a·s + b)))}: logistic regression's own link ({@code a = 1, b = 0}) or Platt
     * scaling. Folds into the linear model: {@code a·(w·x + b0) + b} is again linear.
     */
    record Sigmoid(double a, double b) implements ScoreCalibration {
        @Override
        public double apply(double s) {
            return sigmoid(a * s + b);
        }

        @Override
        public Map<String, String> facts() {
            return Map.of("calibration_a", Double.toString(a), "calibration_b", Double.toString(b));
        }
    }

    /**
     * A non-decreasing step function: {@code values[k]} for the last {@code k} with {@code thresholds[k] <= s},
     * {@code values[0]} below {@code thresholds[0]}. Thresholds are float32 values (as the exported graph compares).
     */
    record Isotonic(double[] thresholds, double[] values) implements ScoreCalibration {
        @Override
        public double apply(double s) {
            int k = Arrays.binarySearch(thresholds, s);
            if (k < 0) {
                k = -k - 2; // the last threshold below s
            } else {
                while (k + 1 < thresholds.length && thresholds[k + 1] == s) {
                    k++;
                }
            }
            return values[Math.max(k, 0)];
        }

        @Override
        public Map<String, String> facts() {
            return Map.of("calibration_steps", Integer.toString(values.length));
        }
    }

    /** Smallest and largest probability an isotonic step may have: a step of all-one labels is not certainty. */
    double ISOTONIC_CLIP = 1e-3;

    /**
     * Platt scaling fitted by Newton's method with backtracking on the regularised targets
     * {@code (N+ + 1) / (N+ + 2)} and {@code 1 / (N- + 2)} (Lin, Lin and Weng, 2007).
     */
    static Sigmoid platt(double[] s, int[] y) {
        int n = s.length;
        int positives = 0;
        for (int v : y) {
            positives += v;
        }
        int negatives = n - positives;
        double hi = (positives + 1.0) / (positives + 2.0);
        double lo = 1.0 / (negatives + 2.0);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = y[i] == 1 ? hi : lo;
        }
        // In the paper's form P(y = 1) = 1 / (1 + exp(A·s + B)).
        double a = 0.0;
        double b = Math.log((negatives + 1.0) / (positives + 1.0));
        double f = plattLoss(s, t, a, b);
        for (int iteration = 0; iteration < 100; iteration++) {
            double h11 = 1e-12;
            double h22 = 1e-12;
            double h21 = 0;
            double g1 = 0;
            double g2 = 0;
            for (int i = 0; i < n; i++) {
                double z = s[i] * a + b;
                double p;
                double q;
                if (z >= 0) {
                    double e = Math.exp(-z);
                    p = e / (1.0 + e);
                    q = 1.0 / (1.0 + e);
                } else {
                    double e = Math.exp(z);
                    p = 1.0 / (1.0 + e);
                    q = e / (1.0 + e);
                }
                double d2 = p * q;
                h11 += s[i] * s[i] * d2;
                h22 += d2;
                h21 += s[i] * d2;
                double d1 = t[i] - p;
                g1 += s[i] * d1;
                g2 += d1;
            }
            if (Math.abs(g1) < 1e-5 && Math.abs(g2) < 1e-5) {
                break;
            }
            double det = h11 * h22 - h21 * h21;
            double da = -(h22 * g1 - h21 * g2) / det;
            double db = -(-h21 * g1 + h11 * g2) / det;
            double gd = g1 * da + g2 * db;
            double step = 1.0;
            boolean moved = false;
            while (step >= 1e-10) {
                double na = a + step * da;
                double nb = b + step * db;
                double nf = plattLoss(s, t, na, nb);
                if (nf < f + 1e-4 * step * gd) {
                    a = na;
                    b = nb;
                    f = nf;
                    moved = true;
                    break;
                }
                step /= 2.0;
            }
            if (!moved) {
                break;
            }
        }
        return new Sigmoid(-a, -b);
    }

    private static double plattLoss(double[] s, double[] t, double a, double b) {
        double f = 0;
        for (int i = 0; i < s.length; i++) {
            double z = s[i] * a + b;
            f += z >= 0 ? t[i] * z + Math.log1p(Math.exp(-z)) : (t[i] - 1.0) * z + Math.log1p(Math.exp(z));
        }
        return f;
    }

    /**
     * Isotonic regression by pool-adjacent-violators: the non-decreasing step function of {@code s} closest to the
     * labels in squared error; equal scores share one step, steps are strictly increasing, values clipped to
     * [{@link #ISOTONIC_CLIP}, 1 − {@link #ISOTONIC_CLIP}].
     */
    static Isotonic isotonic(double[] s, int[] y) {
        int n = s.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(s[p], s[q]));
        List<double[]> blocks = new ArrayList<>(); // {start score, sum of labels, count}
        int i = 0;
        while (i < n) {
            // Scores are compared as the exported float32 graph sees them.
            float start = (float) s[order[i]];
            double sum = 0;
            int count = 0;
            while (i < n && (float) s[order[i]] == start) {
                sum += y[order[i]];
                count++;
                i++;
            }
            blocks.add(new double[] {start, sum, count});
            while (blocks.size() > 1) {
                double[] last = blocks.get(blocks.size() - 1);
                double[] prev = blocks.get(blocks.size() - 2);
                if (prev[1] / prev[2] < last[1] / last[2]) {
                    break;
                }
                prev[1] += last[1];
                prev[2] += last[2];
                blocks.remove(blocks.size() - 1);
            }
        }
        double[] thresholds = new double[blocks.size()];
        double[] values = new double[blocks.size()];
        for (int k = 0; k < blocks.size(); k++) {
            double[] block = blocks.get(k);
            thresholds[k] = block[0];
            values[k] = Math.min(Math.max(block[1] / block[2], ISOTONIC_CLIP), 1.0 - ISOTONIC_CLIP);
        }
        return new Isotonic(thresholds, values);
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
    }
}
