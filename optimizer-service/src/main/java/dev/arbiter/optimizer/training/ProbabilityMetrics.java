package dev.arbiter.optimizer.training;

import dev.arbiter.proto.v1.ClassificationMetrics;
import java.util.Arrays;

/**
 * How good predicted probabilities are on one data set (the proto's ClassificationMetrics).
 *
 * @param brierScore               mean of (p − y)²; lower is better
 * @param expectedCalibrationError Σ over 10 equal-width bins of (bin share) × |mean p − positive rate| in the bin
 * @param logLoss                  mean −ln(p) of the true class, p clipped to [1e-15, 1 − 1e-15]
 * @param rocAuc                   probability that a random positive scores above a random negative (ties count ½);
 *                                 NaN when one class is absent
 * @param accuracy                 share of rows whose class at threshold 0.5 (p ≥ 0.5 positive) is right
 * @param precision                share of predicted positives that are positive; 0 with none predicted
 * @param recall                   share of positives predicted positive; 0 with no positives
 * @param positiveRate             share of positive labels
 * @param sampleCount              rows evaluated
 */
public record ProbabilityMetrics(double brierScore, double expectedCalibrationError, double logLoss, double rocAuc,
                                 double accuracy, double precision, double recall, double positiveRate,
                                 long sampleCount) {

    /** Bins of the expected calibration error. */
    public static final int CALIBRATION_BINS = 10;
    private static final double CLIP = 1e-15;

    /** As the proto message (training results, backtest folds and totals); an undefined AUC stays NaN. */
    public ClassificationMetrics toProto() {
        return ClassificationMetrics.newBuilder()
                .setBrierScore(brierScore)
                .setExpectedCalibrationError(expectedCalibrationError)
                .setLogLoss(logLoss)
                .setRocAuc(rocAuc)
                .setAccuracy(accuracy)
                .setPrecision(precision)
                .setRecall(recall)
                .setPositiveRate(positiveRate)
                .setSampleCount(sampleCount)
                .build();
    }

    /**
     * Scores probabilities {@code p} against labels {@code y} (0 or 1), row by row.
     *
     * @throws IllegalArgumentException for different lengths, no rows, or a probability outside [0, 1] or NaN
     */
    public static ProbabilityMetrics of(double[] p, int[] y) {
        int n = p.length;
        if (y.length != n) {
            throw new IllegalArgumentException(n + " probabilities but " + y.length + " labels");
        }
        if (n == 0) {
            throw new IllegalArgumentException("no rows to evaluate");
        }
        double brier = 0;
        double logLoss = 0;
        long positives = 0;
        long correct = 0;
        long predictedPositive = 0;
        long truePositive = 0;
        double[] binSum = new double[CALIBRATION_BINS];
        long[] binPositives = new long[CALIBRATION_BINS];
        long[] binCount = new long[CALIBRATION_BINS];
        for (int i = 0; i < n; i++) {
            double pi = p[i];
            if (!(pi >= 0.0 && pi <= 1.0)) {
                throw new IllegalArgumentException("probability[" + i + "] is " + pi + "; probabilities lie in [0, 1]");
            }
            int yi = y[i];
            if (yi != 0 && yi != 1) {
                throw new IllegalArgumentException("label[" + i + "] is " + yi + "; labels are 0 or 1");
            }
            double d = pi - yi;
            brier += d * d;
            double clipped = Math.min(Math.max(pi, CLIP), 1.0 - CLIP);
            logLoss -= yi == 1 ? Math.log(clipped) : Math.log(1.0 - clipped);
            positives += yi;
            boolean predicted = pi >= 0.5;
            if (predicted == (yi == 1)) {
                correct++;
            }
            if (predicted) {
                predictedPositive++;
                truePositive += yi;
            }
            int bin = Math.min((int) (pi * CALIBRATION_BINS), CALIBRATION_BINS - 1);
            binSum[bin] += pi;
            binPositives[bin] += yi;
            binCount[bin]++;
        }
        double ece = 0;
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            if (binCount[b] > 0) {
                ece += Math.abs(binSum[b] / binCount[b] - binPositives[b] / (double) binCount[b]) * binCount[b] / n;
            }
        }
        return new ProbabilityMetrics(brier / n, ece, logLoss / n, rocAuc(p, y, positives), correct / (double) n,
                predictedPositive == 0 ? 0.0 : truePositive / (double) predictedPositive,
                positives == 0 ? 0.0 : truePositive / (double) positives, positives / (double) n, n);
    }

    /** The Brier score of always predicting the base rate: {@code rate × (1 − rate)}, the bar a model must beat. */
    public static double baseRateBrier(int[] y) {
        double rate = Arrays.stream(y).average().orElse(Double.NaN);
        return rate * (1.0 - rate);
    }

    /** Mann-Whitney U over ranks, ties given their average rank. */
    private static double rocAuc(double[] p, int[] y, long positives) {
        int n = p.length;
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
        double positiveRankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && p[order[j + 1]] == p[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1.0; // 1-based
            for (int k = i; k <= j; k++) {
                if (y[order[k]] == 1) {
                    positiveRankSum += averageRank;
                }
            }
            i = j + 1;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}
