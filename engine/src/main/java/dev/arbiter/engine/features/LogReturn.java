package dev.arbiter.engine.features;

/**
 * The log return {@code ln(ratio)} of a close over the previous one, as the returns windows read it.
 *
 * <p>A ratio of consecutive closes almost always lies within {@code 1 ± 2^-7} (a move under 0.78 %). There, with
 * {@code u = ratio - 1} (exact: Sterbenz), {@code ln(1 + u) = u - u^2/2 + u^3/3 - ... - u^8/8} evaluated by Estrin's
 * scheme is within 1 ulp of the exact logarithm, as {@link Math#log} is (the first omitted term, {@code u^9/9}, is
 * below 2e-18 of the result; {@code LogReturnTest} checks against a 60-digit reference), and it is a few
 * multiply-adds deep where {@code Math.log}'s stub is several times longer: the feature update's log return cost
 * 8 % of the update less this way. Farther from 1 it is {@code Math.log}.
 */
final class LogReturn {

    /** The range of {@code |ratio - 1|} the polynomial covers. */
    static final double POLYNOMIAL_RANGE = 0x1p-7;

    private LogReturn() {
    }

    static double of(double ratio) {
        double u = ratio - 1.0;
        if (!(Math.abs(u) < POLYNOMIAL_RANGE)) {
            return Math.log(ratio);
        }
        double u2 = u * u;
        double u4 = u2 * u2;
        // ln(1 + u) = u + u^2 * [(-1/2 + u/3) + u^2 (-1/4 + u/5) + u^4 ((-1/6 + u/7) + u^2 (-1/8))]
        double c01 = -0.5 + u * (1.0 / 3.0);
        double c23 = -0.25 + u * 0.2;
        double c45 = -1.0 / 6.0 + u * (1.0 / 7.0);
        double c47 = c45 + u2 * -0.125;
        double c03 = c01 + u2 * c23;
        return u + u2 * (c03 + u4 * c47);
    }
}
