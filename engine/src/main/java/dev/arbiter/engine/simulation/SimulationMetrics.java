package dev.arbiter.engine.simulation;

/**
 * The results of one simulation, with the definitions of PerformanceMetrics in the contract (common.proto),
 * so backtests, live performance and shadow runs can be compared. Mutable and reusable.
 */
public final class SimulationMetrics {

    /** Number of values {@link #writeTo} writes. */
    public static final int FIELDS = 11;

    public long decisionCount;
    public long actionCount;
    public long outcomeCount;
    /** Share of decisions with an outcome whose predicted class (p ≥ 0.5) matched the realised label. */
    public double hitRate;
    /** Share of acted decisions with an outcome whose direction matched the sign of the realised return. */
    public double precision;
    /** Acted decisions whose direction did not match the realised return (losing actions). */
    public long falsePositiveActions;
    /** Acted decisions whose direction matched (winning actions). */
    public long truePositiveActions;
    public double pnl;
    /** Mean over standard deviation of per-decision pnl (FLAT decisions count as 0); not annualised. */
    public double sharpe;
    public double maxDrawdown;
    public double turnover;

    /** Writes the values into {@code out} from {@code offset}, in the order of the constants of this class. */
    public void writeTo(double[] out, int offset) {
        out[offset] = decisionCount;
        out[offset + 1] = actionCount;
        out[offset + 2] = outcomeCount;
        out[offset + 3] = hitRate;
        out[offset + 4] = precision;
        out[offset + 5] = falsePositiveActions;
        out[offset + 6] = pnl;
        out[offset + 7] = sharpe;
        out[offset + 8] = maxDrawdown;
        out[offset + 9] = turnover;
        out[offset + 10] = truePositiveActions;
    }

    /** Reads the values {@link #writeTo} wrote at {@code offset} (a row of {@code Simulator.runAll}'s matrix). */
    public SimulationMetrics readFrom(double[] in, int offset) {
        decisionCount = (long) in[offset];
        actionCount = (long) in[offset + 1];
        outcomeCount = (long) in[offset + 2];
        hitRate = in[offset + 3];
        precision = in[offset + 4];
        falsePositiveActions = (long) in[offset + 5];
        pnl = in[offset + 6];
        sharpe = in[offset + 7];
        maxDrawdown = in[offset + 8];
        turnover = in[offset + 9];
        truePositiveActions = (long) in[offset + 10];
        return this;
    }

    /** Index of pnl in {@link #writeTo}'s layout. */
    public static final int PNL = 6;
    /** Index of sharpe in {@link #writeTo}'s layout. */
    public static final int SHARPE = 7;
    /** Index of max drawdown in {@link #writeTo}'s layout. */
    public static final int MAX_DRAWDOWN = 8;
    /** Index of false-positive actions in {@link #writeTo}'s layout. */
    public static final int FALSE_POSITIVE_ACTIONS = 5;
    /** Index of true-positive actions (wins) in {@link #writeTo}'s layout. */
    public static final int TRUE_POSITIVE_ACTIONS = 10;

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "decisions=%d actions=%d outcomes=%d hitRate=%.4f precision=%.4f falsePositives=%d pnl=%.6f sharpe=%.4f maxDrawdown=%.6f turnover=%.4f",
                decisionCount, actionCount, outcomeCount, hitRate, precision, falsePositiveActions, pnl, sharpe, maxDrawdown, turnover);
    }
}
