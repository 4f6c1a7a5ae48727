package dev.arbiter.optimizer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProbabilityMetricsTest {

    @Test
    void perfectPredictionsScorePerfectly() {
        ProbabilityMetrics m = ProbabilityMetrics.of(new double[] {0, 1, 1, 0}, new int[] {0, 1, 1, 0});
        assertEquals(0.0, m.brierScore());
        assertEquals(0.0, m.expectedCalibrationError());
        assertEquals(1.0, m.rocAuc());
        assertEquals(1.0, m.accuracy());
        assertEquals(1.0, m.precision());
        assertEquals(1.0, m.recall());
        assertEquals(0.5, m.positiveRate());
        assertEquals(4, m.sampleCount());
        assertTrue(m.logLoss() < 1e-14);
    }

    @Test
    void theBaseRateIsCalibratedButDoesNotRank() {
        int[] y = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0};
        double[] p = new double[10];
        java.util.Arrays.fill(p, 0.3);
        ProbabilityMetrics m = ProbabilityMetrics.of(p, y);
        assertEquals(0.3 * 0.7, m.brierScore(), 1e-15);
        assertEquals(ProbabilityMetrics.baseRateBrier(y), m.brierScore(), 1e-15);
        assertEquals(0.0, m.expectedCalibrationError(), 1e-15);
        assertEquals(0.5, m.rocAuc(), "all tied: AUC one half");
        assertEquals(-(0.3 * Math.log(0.3) + 0.7 * Math.log(0.7)), m.logLoss(), 1e-12);
        assertEquals(0.7, m.accuracy(), 1e-15);
        assertEquals(0.0, m.precision(), "nothing predicted positive");
        assertEquals(0.0, m.recall());
    }

    @Test
    void calibrationErrorWeighsEachBinByItsShare() {
        // Bin [0.9, 1.0]: mean p 0.95, two of two positive: gap 0.05. Bin [0.1, 0.2): mean 0.15, one of two: gap 0.35.
        ProbabilityMetrics m = ProbabilityMetrics.of(new double[] {0.9, 1.0, 0.1, 0.2 - 1e-9}, new int[] {1, 1, 1, 0});
        assertEquals(0.5 * 0.05 + 0.5 * Math.abs((0.1 + 0.2 - 1e-9) / 2 - 0.5), m.expectedCalibrationError(), 1e-12);
        // AUC: positives 0.9, 1.0, 0.1 against negative 0.2: 2 of 3 pairs ranked right.
        assertEquals(2.0 / 3.0, m.rocAuc(), 1e-15);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProbabilityMetrics.of(new double[] {0.5}, new int[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> ProbabilityMetrics.of(new double[0], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> ProbabilityMetrics.of(new double[] {1.5}, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> ProbabilityMetrics.of(new double[] {Double.NaN}, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> ProbabilityMetrics.of(new double[] {0.5}, new int[] {2}));
        assertTrue(Double.isNaN(ProbabilityMetrics.of(new double[] {0.5, 0.6}, new int[] {1, 1}).rocAuc()));
    }

    @Test
    void theProtoCarriesEveryFieldAndAnUndefinedAucAsNaN() {
        ProbabilityMetrics m = ProbabilityMetrics.of(new double[] {0.9, 0.2, 0.6}, new int[] {1, 0, 0});
        var proto = m.toProto();
        assertEquals(m.brierScore(), proto.getBrierScore());
        assertEquals(m.expectedCalibrationError(), proto.getExpectedCalibrationError());
        assertEquals(m.logLoss(), proto.getLogLoss());
        assertEquals(1.0, proto.getRocAuc());
        assertEquals(m.accuracy(), proto.getAccuracy());
        assertEquals(m.precision(), proto.getPrecision());
        assertEquals(m.recall(), proto.getRecall());
        assertEquals(m.positiveRate(), proto.getPositiveRate());
        assertEquals(3, proto.getSampleCount());
        assertTrue(Double.isNaN(ProbabilityMetrics.of(new double[] {0.5, 0.6}, new int[] {1, 1}).toProto().getRocAuc()),
                "one class only: AUC undefined, not 0 (which would mean perfectly wrong)");
    }
}
