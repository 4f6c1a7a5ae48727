package dev.arbiter.optimizer.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-fold ensemble calibrator measured in optimizer-service/README.md ("Decision quality, out of sample"). */
class PlattScalingTest {

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void recoversTheSlopeAndOffsetLabelsWereDrawnWith() {
        SplittableRandom random = new SplittableRandom(7);
        int n = 20_000;
        double[] p = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double x = random.nextDouble(-3, 3); // logit of an overconfident model's p
            p[i] = sigmoid(x);
            y[i] = random.nextDouble() < sigmoid(0.5 * x - 0.4) ? 1 : 0;
        }
        PlattScaling s = PlattScaling.fit(p, y);
        assertEquals(0.5, s.a(), 0.05);
        assertEquals(-0.4, s.b(), 0.05);
        assertEquals(sigmoid(0.5 * 2 - 0.4), s.apply(sigmoid(2)), 0.02);
    }

    @Test
    void neverInvertsTheOrderAndStaysFiniteOnOneSidedData() {
        double[] p = {0.9, 0.8, 0.7, 0.3, 0.2, 0.1};
        PlattScaling inverted = PlattScaling.fit(p, new int[] {0, 0, 0, 1, 1, 1});
        assertTrue(inverted.a() >= 0, "a = " + inverted.a());
        assertTrue(inverted.apply(0.9) >= inverted.apply(0.1));
        PlattScaling allPositive = PlattScaling.fit(p, new int[] {1, 1, 1, 1, 1, 1});
        assertTrue(Double.isFinite(allPositive.a()) && Double.isFinite(allPositive.b()), allPositive.toString());
        assertTrue(allPositive.apply(0.5) > 0.5, "every label positive moves p up");
        assertEquals(PlattScaling.IDENTITY, PlattScaling.fit(new double[0], new int[0]));
    }
}
