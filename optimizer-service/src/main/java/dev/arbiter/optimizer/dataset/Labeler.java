package dev.arbiter.optimizer.dataset;

import java.util.Arrays;

/**
 * Labels every observation of a series by a {@link LabelDefinition}. Row {@code i}'s label and forward return
 * read values at indexes {@code <= i + horizon} only (threshold events also read the trailing window ending at
 * {@code i}); rows whose horizon runs past the end are {@link #UNLABELLED}, never guessed.
 */
public final class Labeler {

    /** The label of a row that has none: its horizon runs past the data, its trailing window is not full, or a dropped tie. */
    public static final byte UNLABELLED = -1;

    private Labeler() {
    }

    /**
     * Labels of one series.
     *
     * @param label         per observation: 1 positive, 0 negative, {@link #UNLABELLED}
     * @param forwardReturn per observation: {@code value[i + horizon] / value[i] - 1}, NaN where {@code i + horizon}
     *                      is past the end (the realised return a decision at {@code i} earns over the horizon)
     * @param beyondEnd     rows unlabelled because the horizon runs past the last observation
     * @param beforeWindow  rows unlabelled because the trailing window is not yet full (threshold events)
     * @param tiesDropped   rows unlabelled because they were ties and ties are dropped
     */
    public record Labels(byte[] label, double[] forwardReturn, int beyondEnd, int beforeWindow, int tiesDropped) {
    }

    /**
     * Labels {@code value} (finite, positive, in time order).
     *
     * @throws IllegalArgumentException for a null definition or a non-finite or non-positive value
     */
    public static Labels label(double[] value, LabelDefinition definition) {
        if (definition == null) {
            throw new IllegalArgumentException("definition is null; pass a LabelDefinition");
        }
        int n = value.length;
        for (int i = 0; i < n; i++) {
            if (!(value[i] > 0.0) || Double.isInfinite(value[i])) {
                throw new IllegalArgumentException("value[" + i + "] is " + value[i] + "; labels need finite positive values");
            }
        }
        int h = definition.horizon();
        byte[] label = new byte[n];
        double[] forward = new double[n];
        Arrays.fill(label, UNLABELLED);
        Arrays.fill(forward, Double.NaN);
        int labelledEnd = Math.max(0, n - h); // rows [0, labelledEnd) have index i + h inside the data
        for (int i = 0; i < labelledEnd; i++) {
            forward[i] = value[i + h] / value[i] - 1.0;
        }
        int beyondEnd = n - labelledEnd;
        if (definition instanceof LabelDefinition.ForwardReturnSign s) {
            return forwardReturnSign(value, s, label, forward, labelledEnd, beyondEnd);
        }
        return thresholdEvent(value, (LabelDefinition.ThresholdEvent) definition, label, forward, labelledEnd, beyondEnd);
    }

    private static Labels forwardReturnSign(double[] value, LabelDefinition.ForwardReturnSign s, byte[] label,
                                            double[] forward, int labelledEnd, int beyondEnd) {
        int h = s.horizon();
        int ties = 0;
        for (int i = 0; i < labelledEnd; i++) {
            // Exactly equal values are a tie whatever rounding the division does.
            boolean tie = value[i + h] == value[i] || Math.abs(forward[i]) <= s.tieTolerance();
            if (tie) {
                switch (s.ties()) {
                    case DROP -> ties++;
                    case NEGATIVE -> label[i] = 0;
                    case POSITIVE -> label[i] = 1;
                }
            } else {
                label[i] = (byte) (value[i + h] > value[i] ? 1 : 0);
            }
        }
        return new Labels(label, forward, beyondEnd, 0, ties);
    }

    private static Labels thresholdEvent(double[] value, LabelDefinition.ThresholdEvent t, byte[] label,
                                         double[] forward, int labelledEnd, int beyondEnd) {
        int w = t.trailingWindow();
        int h = t.horizon();
        int n = value.length;
        int first = w - 1; // the first row with a full trailing window
        int beforeWindow = Math.min(labelledEnd, first);
        if (first >= labelledEnd) {
            return new Labels(label, forward, beyondEnd, beforeWindow, 0);
        }
        double position = t.percentile() / 100.0 * (w - 1);
        int lo = (int) Math.floor(position);
        double frac = position - lo;
        // The window sorted, kept sorted as it slides: exactly the values a fresh sort would give.
        double[] sorted = Arrays.copyOfRange(value, 0, w);
        Arrays.sort(sorted);
        for (int i = first; i < labelledEnd; i++) {
            if (i > first) {
                slide(sorted, value[i - w], value[i]);
            }
            double threshold = lo + 1 < w ? sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
            boolean event = false;
            for (int j = i + 1; j <= i + h && j < n; j++) {
                if (t.above() ? value[j] > threshold : value[j] < threshold) {
                    event = true;
                    break;
                }
            }
            label[i] = (byte) (event ? 1 : 0);
        }
        return new Labels(label, forward, beyondEnd, beforeWindow, 0);
    }

    /** Replaces one occurrence of {@code out} by {@code in} in the ascending array, keeping it ascending. */
    static void slide(double[] sorted, double out, double in) {
        int r = Arrays.binarySearch(sorted, out);
        if (r < 0) {
            throw new IllegalStateException("value " + out + " is not in the trailing window");
        }
        int q = Arrays.binarySearch(sorted, in);
        if (q < 0) {
            q = -q - 1; // insertion point: first element greater than in
        }
        if (q > r) {
            // Elements (r, q) move one left; in goes just before the first element greater than it.
            System.arraycopy(sorted, r + 1, sorted, r, q - 1 - r);
            sorted[q - 1] = in;
        } else {
            // Elements [q, r) move one right.
            System.arraycopy(sorted, q, sorted, q + 1, r - q);
            sorted[q] = in;
        }
    }
}
