package dev.arbiter.engine.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The grid evaluation of g(x) equals the exact Parzen estimator within the bound it reports. */
class AboveDensityTest {

    /** Compares fast and exact at 200 points; returns the largest error seen. */
    private static double assertWithinBound(AboveDensity d, Distribution dist, int[] runNumbers, double[] runValues,
                                            SplittableRandom rng) {
        double[] xs = new double[200];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = RandomSampler.sample(dist, rng);
        }
        double[] bounds = new double[xs.length];
        double[] fast = d.logAboveFast(xs, runNumbers, runValues, 1.0, true, false, bounds);
        assertNotNull(fast, "fast path expected");
        double[] exact = d.logAboveExact(xs, runNumbers, runValues, 1.0, true, false);
        double worst = 0;
        for (int i = 0; i < xs.length; i++) {
            double err = Math.abs(fast[i] - exact[i]);
            // the exact path's own rounding over thousands of terms: a few ulps of the log plus 1e-13 relative
            assertTrue(err <= bounds[i] + 1e-12, "x " + xs[i] + ": |" + fast[i] + " - " + exact[i] + "| = " + err
                    + " > bound " + bounds[i]);
            assertTrue(bounds[i] < 1e-12, "bound " + bounds[i]);
            worst = Math.max(worst, err);
        }
        return worst;
    }

    private static int[] below(List<double[]> told, int k) {
        // the k trials with the smallest loss, loss = told[i][1]
        List<double[]> sorted = new ArrayList<>(told);
        sorted.sort((a, b) -> Double.compare(a[1], b[1]));
        int[] out = new int[Math.min(k, sorted.size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) sorted.get(i)[0];
        }
        return out;
    }

    @Test
    void fastEqualsExactThroughAppendsBelowChangesAndRunningTrials() {
        var dist = FloatDistribution.of(-5, 5);
        var d = new AboveDensity(dist);
        var rng = new SplittableRandom(11);
        List<double[]> told = new ArrayList<>();
        for (int n = 0; n < 3000; n++) {
            // concentrate near 1.3 as TPE does, with some spread
            double x = n % 3 == 0 ? -5 + 10 * rng.nextDouble() : Math.max(-5, Math.min(5, 1.3 + rng.nextGaussian()));
            double loss = (x - 1.3) * (x - 1.3) + 0.01 * rng.nextDouble();
            told.add(new double[]{n, loss});
            d.add(n, x);
            if (n >= 400 && n % 97 == 0) {
                d.setBelow(below(told, 25));
                assertWithinBound(d, dist, new int[0], new double[0], rng);
            }
        }
        d.setBelow(below(told, 25));
        assertWithinBound(d, dist, new int[]{3000, 3001, 3005}, new double[]{1.31, -4.99, 4.0}, rng);
        // few rebuilds: the first build, and a below-set change only rebuilds when an old trial moves
        assertTrue(d.rebuilds() < 40, "rebuilds " + d.rebuilds());
    }

    @Test
    void outOfOrderTellRebuildsAndStaysExact() {
        var dist = FloatDistribution.log(1e-3, 10);
        var d = new AboveDensity(dist);
        var rng = new SplittableRandom(3);
        for (int n = 0; n < 600; n += 2) {
            d.add(n, RandomSampler.sample(dist, rng));
        }
        d.setBelow(new int[]{0, 2, 4});
        assertWithinBound(d, dist, new int[0], new double[0], rng);
        int before = d.rebuilds();
        d.add(1, 0.5); // a trial that finished late, older than absorbed ones
        assertWithinBound(d, dist, new int[0], new double[0], rng);
        assertEquals(before + 1, d.rebuilds());
        d.setBelow(new int[]{0, 2, 6}); // 4 back above, behind the absorbed ones
        assertWithinBound(d, dist, new int[0], new double[0], rng);
        assertEquals(before + 2, d.rebuilds());
    }

    @Test
    void oldRunningTrialAndGridsUseTheExactPath() {
        var dist = FloatDistribution.of(0, 1);
        var d = new AboveDensity(dist);
        var rng = new SplittableRandom(5);
        for (int n = 0; n < 400; n++) {
            d.add(n, rng.nextDouble());
        }
        d.setBelow(new int[0]);
        double[] bounds = new double[1];
        assertNotNull(d.logAboveFast(new double[]{0.5}, new int[0], new double[0], 1, true, false, bounds));
        assertNull(d.logAboveFast(new double[]{0.5}, new int[]{3}, new double[]{0.2}, 1, true, false, bounds));
        var ints = new AboveDensity(IntDistribution.of(0, 100));
        for (int n = 0; n < 400; n++) {
            ints.add(n, n % 101);
        }
        ints.setBelow(new int[0]);
        assertNull(ints.logAboveFast(new double[]{5}, new int[0], new double[0], 1, true, false, bounds));
        assertTrue(Arrays.stream(ints.logAboveExact(new double[]{5}, new int[0], new double[0], 1, true, false))
                .allMatch(Double::isFinite));
    }
}
