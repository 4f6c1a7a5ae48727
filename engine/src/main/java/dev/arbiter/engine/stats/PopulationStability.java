package dev.arbiter.engine.stats;

import java.util.Arrays;

/**
 * Population stability index, the severity measure of drift that Evidently and credit-risk practice use:
 * PSI = Σ (q_i - p_i)·ln(q_i / p_i) over bins, p from the reference and q from the recent sample. The bins are the
 * reference's deciles (equal-frequency, so each holds about a tenth of the reference; tied edges merge). An empty
 * bin counts as a proportion of {@value #EMPTY_BIN} (Evidently's floor), so PSI stays finite.
 *
 * <p>Usual reading: below {@value #MODERATE} no meaningful shift, from {@value #MODERATE} a moderate one, from
 * {@value #SIGNIFICANT} a significant one. PSI measures how large a shift is, not whether it is real: a small
 * sample has a large PSI by chance, which is why Arbiter decides drift with a test and reports PSI beside it.
 */
public final class PopulationStability {

    /** Bins: deciles of the reference. */
    public static final int BINS = 10;
    /** Proportion given to an empty bin. */
    public static final double EMPTY_BIN = 1e-4;
    /** PSI from which a shift reads as moderate. */
    public static final double MODERATE = 0.1;
    /** PSI from which a shift reads as significant. */
    public static final double SIGNIFICANT = 0.25;

    /** How large a shift is, by PSI. */
    public enum Severity {
        /** PSI below {@value PopulationStability#MODERATE}, or not computed. */
        NONE,
        /** PSI in [{@value PopulationStability#MODERATE}, {@value PopulationStability#SIGNIFICANT}). */
        MODERATE,
        /** PSI at least {@value PopulationStability#SIGNIFICANT}. */
        SIGNIFICANT;

        /** The severity of a PSI; NaN reads as NONE. */
        public static Severity of(double psi) {
            if (psi >= PopulationStability.SIGNIFICANT) {
                return SIGNIFICANT;
            }
            return psi >= PopulationStability.MODERATE ? MODERATE : NONE;
        }
    }

    private PopulationStability() {
    }

    /** PSI of {@code recent} against {@code reference}; NaN when either is empty. Values must be finite. */
    public static double psi(double[] reference, double[] recent) {
        if (reference.length == 0 || recent.length == 0) {
            return Double.NaN;
        }
        double[] sorted = reference.clone();
        Arrays.sort(sorted);
        // Upper edges of the first BINS-1 bins, ties merged: a value v falls in the first bin whose edge is >= v.
        double[] edges = new double[BINS - 1];
        int edgeCount = 0;
        for (int i = 1; i < BINS; i++) {
            double edge = sorted[(int) Math.min(sorted.length - 1, Math.ceil((double) i * sorted.length / BINS) - 1)];
            if (edgeCount == 0 || edge > edges[edgeCount - 1]) {
                edges[edgeCount++] = edge;
            }
        }
        int bins = edgeCount + 1;
        double[] p = proportions(reference, edges, edgeCount, bins);
        double[] q = proportions(recent, edges, edgeCount, bins);
        double psi = 0.0;
        for (int i = 0; i < bins; i++) {
            psi += (q[i] - p[i]) * Math.log(q[i] / p[i]);
        }
        return psi;
    }

    private static double[] proportions(double[] values, double[] edges, int edgeCount, int bins) {
        double[] counts = new double[bins];
        for (double v : values) {
            int at = Arrays.binarySearch(edges, 0, edgeCount, v);
            counts[at >= 0 ? at : -at - 1]++;
        }
        for (int i = 0; i < bins; i++) {
            counts[i] = Math.max(EMPTY_BIN, counts[i] / values.length);
        }
        return counts;
    }
}
