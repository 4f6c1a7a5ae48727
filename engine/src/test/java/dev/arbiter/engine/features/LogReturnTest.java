package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LogReturn} against a 60-digit reference: within 1 ulp, as {@link Math#log} is. */
class LogReturnTest {

    private static final MathContext DIGITS = new MathContext(60);

    @Test
    void withinOneUlpOfTheExactLogNearOne() {
        SplittableRandom rnd = new SplittableRandom(20261128L);
        double[] spreads = {LogReturn.POLYNOMIAL_RANGE, 1e-2 * LogReturn.POLYNOMIAL_RANGE, 1e-4, 1e-9, 1e-15};
        long worst = 0;
        int correctlyRounded = 0;
        int n = 30_000;
        for (int i = 0; i < n; i++) {
            double spread = spreads[i % spreads.length];
            double ratio = 1.0 + (2 * rnd.nextDouble() - 1) * spread;
            double exact = exactLog(ratio);
            long ulps = ulps(LogReturn.of(ratio), exact);
            assertTrue(ulps <= 1, "ln(" + ratio + ") is " + LogReturn.of(ratio) + ", exact " + exact);
            worst = Math.max(worst, ulps);
            correctlyRounded += ulps == 0 ? 1 : 0;
            assertTrue(ulps(Math.log(ratio), exact) <= 1, "Math.log itself at " + ratio);
        }
        // most results are the correctly rounded logarithm, as with Math.log (99.9 % of these)
        assertTrue(correctlyRounded > 0.99 * n, correctlyRounded + " of " + n + " correctly rounded");
        System.out.println("LogReturn: largest error " + worst + " ulp, " + correctlyRounded + " of " + n
                + " correctly rounded");
    }

    @Test
    void edgesOfThePolynomialsRange() {
        double below = 1.0 - LogReturn.POLYNOMIAL_RANGE;
        double above = 1.0 + LogReturn.POLYNOMIAL_RANGE;
        for (double inside : new double[] {Math.nextUp(below), Math.nextDown(above), Math.nextUp(1.0),
                Math.nextDown(1.0)}) {
            assertTrue(ulps(LogReturn.of(inside), exactLog(inside)) <= 1, "ln(" + inside + ")");
        }
        for (double outside : new double[] {below, above, Math.nextDown(below), Math.nextUp(above), 0.5, 2.0, 1e-3,
                1e3, Double.MIN_VALUE, Double.MAX_VALUE}) {
            assertEquals(Math.log(outside), LogReturn.of(outside), 0.0, "ln(" + outside + ") is Math.log's");
        }
        assertEquals(0L, Double.doubleToRawLongBits(LogReturn.of(1.0)), "ln(1) is +0.0");
    }

    /** ln(ratio) for |ratio - 1| <= 2^-7 from the series of ln(1 + u), rounded once to a double. */
    private static double exactLog(double ratio) {
        BigDecimal u = new BigDecimal(ratio).subtract(BigDecimal.ONE);
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal power = u;
        for (int k = 1; k <= 40; k++) { // |u|^41 / 41 < 1e-86
            BigDecimal term = power.divide(BigDecimal.valueOf(k), DIGITS);
            sum = k % 2 == 1 ? sum.add(term, DIGITS) : sum.subtract(term, DIGITS);
            power = power.multiply(u, DIGITS);
        }
        return sum.doubleValue();
    }

    private static long ulps(double a, double b) {
        return Math.abs(Double.doubleToLongBits(a) - Double.doubleToLongBits(b));
    }
}
