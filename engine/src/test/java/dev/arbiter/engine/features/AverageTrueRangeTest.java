package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link AverageTrueRange#trueRange} is the textbook maximum of three distances, to the bit. */
class AverageTrueRangeTest {

    /** ta4j's TRIndicator, as the engine computed it before: three distances and two Math.max. */
    private static double reference(double high, double low, double close, double prevClose, boolean hasPrev) {
        if (!hasPrev) {
            return Double.isNaN(high) || Double.isNaN(low) ? Double.NaN : Math.abs(high - low);
        }
        if (Double.isNaN(high) || Double.isNaN(low)) {
            return Math.abs(close - prevClose);
        }
        return Math.max(Math.max(Math.abs(high - low), Math.abs(high - prevClose)), Math.abs(prevClose - low));
    }

    @Test
    void equalsTheMaximumOfTheThreeDistancesBitForBit() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[] cases = new int[6];
        for (int i = 0; i < 200_000; i++) {
            double level = Math.scalb(1.0 + rnd.nextDouble(), rnd.nextInt(-20, 40));
            // a few distinct values, often equal, so ties, gaps either way and high below low all occur
            double[] points = {level, level * (1 + 1e-3 * rnd.nextInt(-3, 4)), level * (1 + 1e-9 * rnd.nextInt(-3, 4)),
                level + Math.ulp(level) * rnd.nextInt(-2, 3)};
            int absent = rnd.nextInt(8); // 0: high absent, 1: low absent
            double high = absent == 0 ? Double.NaN : points[rnd.nextInt(points.length)];
            double low = absent == 1 ? Double.NaN : points[rnd.nextInt(points.length)];
            double prevClose = points[rnd.nextInt(points.length)];
            double close = points[rnd.nextInt(points.length)];
            boolean hasPrev = rnd.nextInt(10) != 0;
            double expected = reference(high, low, close, prevClose, hasPrev);
            double actual = AverageTrueRange.trueRange(high, low, close, prevClose, hasPrev);
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                    () -> "high " + high + ", low " + low + ", close " + close + ", previous " + prevClose + ", "
                            + hasPrev + ": expected " + expected + ", got " + actual);
            if (hasPrev && !Double.isNaN(expected)) {
                cases[high < low ? 0 : prevClose > high ? 1 : prevClose < low ? 2 : 3]++;
                cases[high == low ? 4 : 5]++;
            }
        }
        for (int c : cases) {
            assertTrue(c > 1_000, "every arrangement of high, low and the previous close is exercised");
        }
    }
}
