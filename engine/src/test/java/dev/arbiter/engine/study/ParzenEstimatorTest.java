package dev.arbiter.engine.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks against Optuna 5.0.0 itself. The expected numbers were printed once by this Python (numpy 2.4,
 * Optuna 5.0.0) and pasted here:
 *
 * <pre>
 * from optuna.distributions import FloatDistribution, IntDistribution, CategoricalDistribution
 * from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
 * from optuna.samplers._tpe.sampler import default_weights
 * from optuna.samplers._tpe import _truncnorm
 * P = _ParzenEstimatorParameters(prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False,
 *                                weights=default_weights, multivariate=True)
 * def lp(space, obs, xs):
 *     pe = _ParzenEstimator({k: np.asarray(v, dtype=float) for k, v in obs.items()}, space, P)
 *     return pe.log_pdf({k: np.asarray(v, dtype=float) for k, v in xs.items()})
 * print(lp({"x": FloatDistribution(-5, 5)}, {"x": [0.1, -2.0, 3.5, 4.9, -4.2]}, {"x": [-4.9, -1.0, 0.0, 2.2, 4.99]}))
 * ... (one line per case below, same arguments)
 * obs = np.random.RandomState(7).uniform(-5, 5, 40)   # "ramp40": 40 observations, so the weights ramp
 * [math.erf(v) for v in ...], [math.erfc(v) for v in ...], _truncnorm._log_ndtr(...),
 * _truncnorm._log_gauss_mass(...), _truncnorm.ppf(...)
 * </pre>
 */
class ParzenEstimatorTest {

    private static final double TOL = 1e-12;

    private static double[] logPdf(Distribution[] space, double[][] obs, double[][] points) {
        var pe = new ParzenEstimator(space, obs, null, 1.0, true, false);
        double[] out = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            out[i] = pe.logPdf(points[i]);
        }
        return out;
    }

    private static double[][] column(double... xs) {
        double[][] out = new double[xs.length][1];
        for (int i = 0; i < xs.length; i++) {
            out[i][0] = xs[i];
        }
        return out;
    }

    @Test
    void floatLinearEqualsOptuna() {
        assertArrayEquals(new double[]{-2.4869687570956622, -2.3291389333896406, -2.439283304582939,
                        -2.477490888343659, -1.9777028600622317},
                logPdf(new Distribution[]{FloatDistribution.of(-5, 5)}, new double[][]{{0.1, -2.0, 3.5, 4.9, -4.2}},
                        column(-4.9, -1.0, 0.0, 2.2, 4.99)), TOL);
    }

    @Test
    void floatLogEqualsOptuna() {
        assertArrayEquals(new double[]{-2.3329529528084465, -2.131543015430303, -2.3392150078794294,
                        -2.533824772898485},
                logPdf(new Distribution[]{FloatDistribution.log(1e-4, 1.0)}, new double[][]{{1e-3, 0.02, 0.5, 0.0004}},
                        column(1e-4, 0.003, 0.1, 0.9)), TOL);
    }

    @Test
    void intAndStepEqualOptuna() {
        assertArrayEquals(new double[]{-2.2407632793156074, -2.1207175367354454, -2.459631931367814,
                        -2.387161680980155},
                logPdf(new Distribution[]{IntDistribution.of(1, 10)}, new double[][]{{2, 2, 7, 9}},
                        column(1, 2, 5, 10)), TOL);
        assertArrayEquals(new double[]{-2.217107173998434, -4.265910190776523, -9.019053321963057},
                logPdf(new Distribution[]{IntDistribution.log(1, 1000)}, new double[][]{{3, 40, 700}},
                        column(1, 10, 999)), TOL);
        assertArrayEquals(new double[]{-1.941600637615054, -1.1690882253177868, -2.521977535571417},
                logPdf(new Distribution[]{FloatDistribution.stepped(0, 1, 0.25)}, new double[][]{{0.25, 0.5, 0.5}},
                        column(0.0, 0.5, 1.0)), TOL);
    }

    @Test
    void categoricalAndJointEqualOptuna() {
        assertArrayEquals(new double[]{-0.7419373447293773, -1.6582280766035324, -1.0986122886681098},
                logPdf(new Distribution[]{CategoricalDistribution.of("a", "b", "c")}, new double[][]{{0, 0, 2}},
                        column(0, 1, 2)), TOL);
        assertArrayEquals(new double[]{-2.9706688446504046, -2.655041801020668, -3.2181845407118943},
                logPdf(new Distribution[]{FloatDistribution.of(-5, 5), CategoricalDistribution.of("a", "b")},
                        new double[][]{{0.1, -2.0, 3.5}, {0, 1, 1}}, new double[][]{{0.0, 0}, {-2.0, 1}, {3.0, 0}}),
                TOL);
    }

    @Test
    void rampedWeightsEqualOptuna() {
        double[] obs = {-4.236917106260428, 2.7991879224011464, -0.6159076855910648, 2.234651778309412,
                4.779895119966026, 0.38495870410433675, 0.011204636599378759, -4.279488666402385,
                -2.3156101989812883, -0.0011749917444001667, 1.7922999612094053, 3.037390361043755,
                -1.190588668514616, -4.340636530940949, -2.1185440069200645, 4.095935277196137, -2.866146464200845,
                -0.47876038182316893, 4.312060196890217, -4.75100772449652, 1.005489174641225, 4.5012950041364554,
                -2.6969712097903518, 0.4848991923603041, 4.091283748867312, -3.6683055424074986,
                0.2341258067376586, 2.504098591020348, 1.6901324088391378, -0.32247140255019247,
                -2.951509097022049, -0.09234110908929516, -1.27615310614941, -0.22598845148411595,
                -1.3410961421940701, 3.3791799430926055, 2.6864750651950935, -1.8600532278733786,
                0.7262533264395401, -2.239509516693049};
        assertArrayEquals(new double[]{-2.2809138581258592, -1.8778160238166848, -2.213375511163489},
                logPdf(new Distribution[]{FloatDistribution.of(-5, 5)}, new double[][]{obs}, column(-3.0, 0.5, 4.0)),
                TOL);
    }

    @Test
    void normalFunctionsEqualOptuna() {
        double[] erfIn = {1e-10, 0.3, 0.9, 1.1, 2.0, 3.5, 5.9};
        double[] erfOut = {1.1283791670955126e-10, 0.3286267594591274, 0.7969082124228322, 0.8802050695740817,
                0.9953222650189527, 0.9999992569016276, 0.9999999999999999};
        for (int i = 0; i < erfIn.length; i++) {
            assertEquals(erfOut[i], TruncatedNormal.erf(erfIn[i]), 2 * Math.ulp(erfOut[i]), "erf " + erfIn[i]);
        }
        double[] erfcIn = {-1.0, 0.3, 1.0, 2.0, 5.0, 10.0, 26.0};
        double[] erfcOut = {1.842700792949715, 0.6713732405408726, 0.15729920705028513, 0.004677734981047265,
                1.5374597944280351e-12, 2.088487583762545e-45, 5.663192408856143e-296};
        for (int i = 0; i < erfcIn.length; i++) {
            assertEquals(erfcOut[i], TruncatedNormal.erfc(erfcIn[i]), 1e-14 * erfcOut[i], "erfc " + erfcIn[i]);
        }
        double[] lnIn = {-40.0, -25.0, -5.0, 0.0, 3.0, 8.0};
        double[] lnOut = {-804.6084420137538, -316.6394080080202, -15.064998393988724, -0.6931471805599453,
                -0.0013508099647482027, -6.220960574271819e-16};
        for (int i = 0; i < lnIn.length; i++) {
            assertEquals(lnOut[i], TruncatedNormal.logNdtr(lnIn[i]), 1e-13 * Math.abs(lnOut[i]), "logNdtr " + lnIn[i]);
        }
        double[][] massIn = {{-30, -29}, {-1, 1}, {2, 9}, {-0.5, 50}};
        double[] massOut = {-424.7874199097303, -0.38171514630212616, -3.783184333682031, -0.36894641528865635};
        for (int i = 0; i < massIn.length; i++) {
            assertEquals(massOut[i], TruncatedNormal.logGaussMass(massIn[i][0], massIn[i][1]),
                    1e-12 * Math.abs(massOut[i]));
        }
        double[][] ppfIn = {{0.1, -1, 1}, {0.5, -30, 0.5}, {0.99, -2, 10}, {0.3, 1, 6}};
        double[] ppfOut = {-0.7490145989695702, -0.3968711750895446, 2.3349698207580243, 1.2209172405133533};
        for (int i = 0; i < ppfIn.length; i++) {
            assertEquals(ppfOut[i], TruncatedNormal.ppf(ppfIn[i][0], ppfIn[i][1], ppfIn[i][2]), 1e-8);
        }
    }

    @Test
    void bandwidthsFollowOptuna() {
        // sorted 0.1, 0.2, 0.5: larger gaps 0.1 (inner, the outermost), 0.3, 0.3 (inner); clipped below at 1 / 5
        double[] s = ParzenEstimator.bandwidths(new double[]{0.5, 0.1, 0.2}, 0, 1, true, false);
        assertArrayEquals(new double[]{0.3, 0.2, 0.3}, s, 1e-15);
        assertEquals(List.of(1.0, 1.0), List.of(ParzenEstimator.defaultWeights(2)[0], ParzenEstimator.defaultWeights(2)[1]));
        assertEquals(1.0 / 30, ParzenEstimator.defaultWeights(30)[0], 1e-15);
        assertEquals(1.0, ParzenEstimator.defaultWeights(30)[4], 1e-15);
    }

    @Test
    void argsortIsAStableSortWithTiesInIndexOrder() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = r.nextInt(0, 60);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) { // few distinct values: many ties, and -0.0 beside 0.0
                int c = r.nextInt(0, 6);
                v[i] = c == 0 ? -0.0 : c == 1 ? 0.0 : c == 2 ? r.nextDouble() : c - 2;
            }
            Integer[] expected = new Integer[n];
            for (int i = 0; i < n; i++) {
                expected[i] = i;
            }
            java.util.Arrays.sort(expected, (a, b) -> v[a] < v[b] ? -1 : v[b] < v[a] ? 1 : 0); // stable (TimSort)
            int[] got = ParzenEstimator.argsort(v);
            for (int i = 0; i < n; i++) {
                assertEquals(expected[i], got[i], "trial " + trial + " rank " + i + " of " + java.util.Arrays.toString(v));
            }
        }
    }
}
