package dev.arbiter.engine.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Benjamini–Hochberg (1995) adjusted p-values: rejecting every hypothesis whose adjusted value is below q controls
 * the false discovery rate at q for independent or positively dependent tests (Benjamini and Yekutieli 2001, PRDS),
 * which is the case of drift tests over features computed from the same series.
 */
public final class BenjaminiHochberg {

    private BenjaminiHochberg() {
    }

    /**
     * Adjusted p-values, in the input's order: q_(i) = min over j ≥ i of p_(j)·m / j, at most 1, where m counts the
     * p-values that are not NaN. A NaN p-value (a test that did not run) stays NaN and does not count in m.
     */
    public static double[] adjust(double[] pValues) {
        Integer[] order = IntStream.range(0, pValues.length)
                .filter(i -> !Double.isNaN(pValues[i]))
                .boxed()
                .sorted(Comparator.comparingDouble(i -> pValues[i]))
                .toArray(Integer[]::new);
        double[] q = new double[pValues.length];
        Arrays.fill(q, Double.NaN);
        int m = order.length;
        double running = 1.0;
        for (int rank = m; rank >= 1; rank--) {
            int i = order[rank - 1];
            running = Math.min(running, pValues[i] * m / rank);
            q[i] = Math.min(1.0, running);
        }
        return q;
    }
}
