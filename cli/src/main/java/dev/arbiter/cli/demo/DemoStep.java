package dev.arbiter.cli.demo;

/**
 * One replayed observation and what Arbiter decided on it, with its outcome once the horizon has passed.
 *
 * @param tsMicros       the observation's time, microseconds since the epoch
 * @param value          the observation's value
 * @param direction      +1 LONG, -1 SHORT, 0 FLAT
 * @param size           fraction of capital, 0 when FLAT
 * @param confidence     the decision's confidence score in [0, 1]
 * @param probability    the ensemble probability that the value rises over the horizon
 * @param degraded       true when decision-service answered with a fallback
 * @param latencyMillis  client-observed time from sending the observation to receiving its decision
 * @param realisedReturn value[t + horizon] / value[t] - 1; NaN while the horizon has not passed (the last steps)
 * @param pnl            the joined outcome's pnl (size x signed return), 0 when FLAT or not joined
 * @param baseline       the single-model baseline at this step: +1 long, -1 short, 0 out
 */
public record DemoStep(long tsMicros, double value, int direction, double size, double confidence, double probability,
        boolean degraded, double latencyMillis, double realisedReturn, double pnl, int baseline) {

    /** True when the outcome is known. */
    public boolean settled() {
        return !Double.isNaN(realisedReturn);
    }

    /** True when Arbiter acted (LONG or SHORT). */
    public boolean acted() {
        return direction != 0;
    }

    /** An action whose direction the realised return contradicted (a zero return counts as wrong). */
    public boolean falsePositive() {
        return acted() && settled() && direction * realisedReturn <= 0;
    }

    /** The baseline's action was contradicted by the realised return. */
    public boolean baselineFalsePositive() {
        return baseline != 0 && settled() && baseline * realisedReturn <= 0;
    }
}
