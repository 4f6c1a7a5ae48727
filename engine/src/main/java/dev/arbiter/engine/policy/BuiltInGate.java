package dev.arbiter.engine.policy;

/** The built-in decision gates, in evaluation order. Each blocks an action when it does not pass. */
public enum BuiltInGate {
    /** Features have seen enough history. */
    WARMUP("warmup"),
    /** The ensemble leans far enough from 0.5, on a side the policy may act on. */
    EDGE("edge"),
    /** Enough of the models agree with the ensemble's side. */
    AGREEMENT("agreement"),
    /** Confidence clears a bar that rises with volatility (non-linear). */
    CONFIDENCE("confidence"),
    /** Volatility is below the regime ceiling. */
    VOLATILITY("volatility"),
    /** The series trends at least as strongly as required. */
    TREND("trend"),
    /** The series is not sitting out a cooldown after losses. */
    COOLDOWN("cooldown"),
    /** Portfolio drawdown is below the brake's limit. */
    DRAWDOWN("drawdown"),
    /** Exposure caps leave room for at least the minimum size. */
    EXPOSURE("exposure"),
    /** The meta model's probability that the ensemble is right clears meta.min_probability (off at 0). */
    META("meta");

    private static final BuiltInGate[] VALUES = values();

    private final String gateName;

    BuiltInGate(String gateName) {
        this.gateName = gateName;
    }

    /** The name written in GateResult.name and gate statistics. */
    public String gateName() {
        return gateName;
    }

    static BuiltInGate at(int ordinal) {
        return VALUES[ordinal];
    }

    static int count() {
        return VALUES.length;
    }
}
