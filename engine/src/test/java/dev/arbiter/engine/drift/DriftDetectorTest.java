package dev.arbiter.engine.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.stats.Autocorrelation;
import dev.arbiter.engine.stats.BenjaminiHochberg;
import dev.arbiter.engine.stats.PopulationStability;
import dev.arbiter.engine.stats.TwoSampleTests;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DriftDetectorTest {

    private static final List<String> NAMES = List.of("ar_fast", "ar_slow", "mean_20", "vol_cluster_5_20", "score");
    private final DriftDetector detector = new DriftDetector(0.01, 100);

    /** The false-positive rate over 300 seeds, where one hand-picked seed used to stand for "no drift". */
    @Test
    void stationaryAutocorrelatedStreamsAlarmAtMostAtTheFalseDiscoveryRate() {
        int runs = 300;
        int alarms = 0;
        int naiveAlarms = 0;
        for (long seed = 1; seed <= runs; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            double[][] reference = streams(rnd, 500, 0.0);
            double[][] recent = streams(rnd, 500, 0.0);
            List<QuantityDrift> r = detector.detect(NAMES, reference, recent);
            alarms += r.stream().anyMatch(QuantityDrift::drifted) ? 1 : 0;
            naiveAlarms += naive(reference, recent) ? 1 : 0;
        }
        System.out.printf("stationary AR streams: %d of %d runs alarmed; KS/MWU at 1%% on each, uncorrected: %d%n",
                alarms, runs, naiveAlarms);
        assertTrue(alarms <= 0.02 * runs, alarms + " false alarms in " + runs);
        assertTrue(naiveAlarms >= 0.5 * runs, "the uncorrected tests were expected to alarm often: " + naiveAlarms);
    }

    @Test
    void aLastingShiftOfOneQuantityIsFoundAndNamed() {
        int runs = 100;
        int found = 0;
        for (long seed = 1; seed <= runs; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            double[][] reference = streams(rnd, 500, 0.0);
            double[][] recent = streams(rnd, 500, 2.0);
            List<QuantityDrift> r = detector.detect(NAMES, reference, recent);
            QuantityDrift shifted = r.get(0);
            if (shifted.drifted()) {
                found++;
                assertEquals(PopulationStability.Severity.SIGNIFICANT, shifted.severity(), shifted::toString);
            }
            assertFalse(r.get(2).drifted(), r.get(2)::toString);
        }
        assertTrue(found >= 95, "a 2-sd shift of ar_fast found in " + found + " of " + runs);
    }

    @Test
    void priceLevelAndCalendarFeaturesAreNotTested() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] ref = new double[300];
        double[] rec = new double[300];
        for (int i = 0; i < 300; i++) {
            ref[i] = 100 + rnd.nextDouble();
            rec[i] = 200 + rnd.nextDouble(); // a price that doubled: a real level change, but not drift to test
        }
        List<QuantityDrift> r = detector.detect(List.of("sma_20", "drawdown", "dow_sin", "roc_10"),
                new double[][] {ref, ref, ref, ref}, new double[][] {rec, rec, rec, rec});
        assertEquals(FeatureScale.LEVEL, r.get(0).scale());
        assertFalse(r.get(0).tested());
        assertFalse(r.get(1).tested());
        assertEquals(FeatureScale.CALENDAR, r.get(2).scale());
        assertFalse(r.get(2).tested());
        assertTrue(r.get(3).drifted(), r.get(3)::toString);
        assertEquals(10, FeatureScale.rollingWindow("roc_10"));
        assertEquals(50, FeatureScale.rollingWindow("vol_cluster_10_50"));
        assertEquals(1, FeatureScale.rollingWindow("score"));
    }

    @Test
    void benjaminiHochbergMatchesR() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02
        double[] q = BenjaminiHochberg.adjust(new double[] {0.01, 0.04, Double.NaN, 0.03, 0.005});
        assertEquals(0.02, q[0], 1e-12);
        assertEquals(0.04, q[1], 1e-12);
        assertTrue(Double.isNaN(q[2]));
        assertEquals(0.04, q[3], 1e-12);
        assertEquals(0.02, q[4], 1e-12);
        assertEquals(0.9, BenjaminiHochberg.adjust(new double[] {0.9, 0.8})[1], 1e-12); // R: 0.9 0.9
    }

    @Test
    void autocorrelationTimeOfAnAr1IsItsTheory() {
        SplittableRandom rnd = new SplittableRandom(11);
        double phi = 0.9;
        double[] x = new double[50_000];
        for (int i = 1; i < x.length; i++) {
            x[i] = phi * x[i - 1] + gaussian(rnd);
        }
        double tau = Autocorrelation.integratedTime(x);
        assertEquals((1 + phi) / (1 - phi), tau, 2.0); // 19
        double[] white = new double[50_000];
        for (int i = 0; i < white.length; i++) {
            white[i] = gaussian(rnd);
        }
        assertEquals(1.0, Autocorrelation.integratedTime(white), 0.1);
        assertEquals(1.0, Autocorrelation.integratedTime(new double[] {2, 2, 2, 2}));
    }

    @Test
    void psiReadsSizeNotSignificance() {
        SplittableRandom rnd = new SplittableRandom(5);
        double[] ref = new double[5_000];
        double[] same = new double[5_000];
        double[] shifted = new double[5_000];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = gaussian(rnd);
            same[i] = gaussian(rnd);
            shifted[i] = gaussian(rnd) + 1.0;
        }
        assertTrue(PopulationStability.psi(ref, same) < 0.01);
        double psi = PopulationStability.psi(ref, shifted);
        assertTrue(psi > 0.5 && psi < 2.0, "PSI of a 1-sd shift " + psi); // theory for normals: about 1.0
        assertEquals(PopulationStability.Severity.SIGNIFICANT, PopulationStability.Severity.of(psi));
        assertEquals(PopulationStability.Severity.MODERATE, PopulationStability.Severity.of(0.2));
        assertEquals(PopulationStability.Severity.NONE, PopulationStability.Severity.of(Double.NaN));
        assertTrue(Double.isNaN(PopulationStability.psi(ref, new double[0])));
    }

    /**
     * Five quantities: AR(1) with phi 0.5 (shifted by {@code shift} sd), AR(1) with phi 0.97, a rolling mean of 20
     * white-noise values, a ratio of rolling standard deviations, and an AR(1) "score" with phi 0.8.
     */
    private static double[][] streams(SplittableRandom rnd, int n, double shift) {
        double[][] out = new double[5][n];
        double a = 0;
        double b = 0;
        double s = 0;
        double[] noise = new double[n + 20];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = gaussian(rnd);
        }
        for (int i = 0; i < n; i++) {
            a = 0.5 * a + gaussian(rnd);
            b = 0.97 * b + gaussian(rnd);
            s = 0.8 * s + gaussian(rnd);
            double sum = 0;
            double sq5 = 0;
            double sq20 = 0;
            for (int k = 0; k < 20; k++) {
                double v = noise[i + k];
                sum += v;
                sq20 += v * v;
                if (k >= 15) {
                    sq5 += v * v;
                }
            }
            out[0][i] = a / Math.sqrt(1 / (1 - 0.25)) + shift;
            out[1][i] = b;
            out[2][i] = sum / 20;
            out[3][i] = Math.sqrt(sq5 / 5) / Math.sqrt(sq20 / 20);
            out[4][i] = 1 / (1 + Math.exp(-s / 3));
        }
        return out;
    }

    private static boolean naive(double[][] reference, double[][] recent) {
        for (int i = 0; i < reference.length; i++) {
            if (TwoSampleTests.kolmogorovSmirnov(reference[i], recent[i]).rejects(0.01)
                    || TwoSampleTests.mannWhitneyU(reference[i], recent[i]).rejects(0.01)) {
                return true;
            }
        }
        return false;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * rnd.nextDouble());
    }
}
