package dev.arbiter.engine.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Every tunable number of the decision policy, with its default, its allowed range and what it does.
 * The names are the ones decision-service stores in its parameter sets and optimizer-service searches.
 */
public enum PolicyParameter {

    // Confidence: clamp(edge_scale × |2p − 1| × agreement factor × volatility penalty × trend multiplier, 0, 1).
    CONFIDENCE_EDGE_SCALE("confidence.edge_scale", 2.0, 0.1, 20, false,
            "multiplies the ensemble's edge |2p - 1| into a confidence; 2 means p = 0.75 alone is full confidence"),
    CONFIDENCE_AGREEMENT_WEIGHT("confidence.agreement_weight", 0.5, 0, 1, false,
            "how much model agreement counts: factor = 1 - w + w x agreement"),
    CONFIDENCE_VOLATILITY_REFERENCE("confidence.volatility_reference", 0.02, 1e-6, 1, false,
            "volatility (std dev of log returns per observation) regarded as normal; above it confidence is penalised"),
    CONFIDENCE_VOLATILITY_PENALTY("confidence.volatility_penalty", 1.0, 0, 20, false,
            "confidence is divided by 1 + penalty x max(0, volatility / reference - 1)"),
    CONFIDENCE_TREND_WEIGHT("confidence.trend_weight", 0.5, 0, 2, false,
            "trend strength (efficiency ratio, 0..1) multiplies confidence by 1 + w x (trend - 0.5)"),

    // Built-in gates: all are evaluated; an action needs every one to pass.
    GATE_MIN_EDGE("gate.min_edge", 0.02, 0, 0.5, false,
            "smallest |p - 0.5| worth acting on"),
    GATE_MIN_AGREEMENT("gate.min_agreement", 0.5, 0, 1, false,
            "smallest weighted share of models agreeing with the ensemble's side"),
    GATE_MIN_CONFIDENCE("gate.min_confidence", 0.2, 0, 1, false,
            "smallest confidence worth acting on, at normal volatility"),
    GATE_CONFIDENCE_VOLATILITY_SLOPE("gate.confidence_volatility_slope", 0.5, 0, 10, false,
            "the confidence required rises with volatility: min_confidence x (1 + slope x max(0, volatility / reference - 1))"),
    GATE_MAX_VOLATILITY("gate.max_volatility", 0.06, 1e-6, 1, false,
            "no action above this volatility: the regime is too wild to trust any model"),
    GATE_MIN_TREND("gate.min_trend", 0.0, 0, 1, false,
            "smallest trend strength (efficiency ratio) to act in; 0 = any regime"),
    POLICY_ALLOW_SHORT("policy.allow_short", 1, 0, 1, true,
            "1 = act on both sides; 0 = only LONG actions"),

    // Risk management.
    RISK_VOLATILITY_TARGET("risk.volatility_target", 0.005, 1e-6, 1, false,
            "risk per decision: size = confidence x target / volatility, before the other caps"),
    RISK_KELLY_FRACTION("risk.kelly_fraction", 0.5, 0, 1, false,
            "size never exceeds this fraction of the Kelly bet |2p - 1| of an even-odds wager"),
    RISK_MAX_SIZE("risk.max_size", 0.25, 0, 1, false,
            "largest size of one decision, fraction of capital"),
    RISK_MIN_SIZE("risk.min_size", 0.001, 0, 1, false,
            "a decision sized below this becomes FLAT: not worth its costs"),
    RISK_MAX_SERIES_EXPOSURE("risk.max_series_exposure", 0.5, 0, 1, false,
            "largest open position in one series (absolute, fraction of capital)"),
    RISK_MAX_TOTAL_EXPOSURE("risk.max_total_exposure", 1.0, 0, 10, false,
            "largest sum of open position sizes over all series (fraction of capital)"),
    RISK_DRAWDOWN_SOFT("risk.drawdown_soft", 0.05, 0, 1, false,
            "drawdown from the pnl peak where the brake starts: sizes shrink linearly from here"),
    RISK_DRAWDOWN_LIMIT("risk.drawdown_limit", 0.15, 0, 1, false,
            "drawdown where the brake is full: no new actions until pnl recovers"),
    RISK_COOLDOWN_LOSSES("risk.cooldown_losses", 3, 0, 1000, true,
            "consecutive losing outcomes on a series that start a cooldown; 0 = never"),
    RISK_COOLDOWN_OBSERVATIONS("risk.cooldown_observations", 5, 0, 100000, true,
            "observations of the series held FLAT once a cooldown starts"),

    // The learned gate (meta-labelling, MetaGate): off by default, switched on by tuning.
    META_MIN_PROBABILITY("meta.min_probability", 0, 0, 1, false,
            "smallest probability, by the meta model, that the ensemble's side wins; 0 = the learned gate is off"),
    META_SIZE_WEIGHT("meta.size_weight", 0, 0, 1, false,
            "how much the meta model's bet size 2Phi(z) - 1 scales the size: factor = 1 - w + w x bet size; 0 = not at all");

    private static final PolicyParameter[] VALUES = values();
    private static final Map<String, PolicyParameter> BY_NAME = new HashMap<>();

    static {
        for (PolicyParameter p : VALUES) {
            BY_NAME.put(p.key, p);
        }
    }

    private final String key;
    private final double defaultValue;
    private final double min;
    private final double max;
    private final boolean integer;
    private final String description;

    PolicyParameter(String key, double defaultValue, double min, double max, boolean integer, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.integer = integer;
        this.description = description;
    }

    /** The stored name, e.g. {@code "gate.min_confidence"}. */
    public String key() {
        return key;
    }

    public double defaultValue() {
        return defaultValue;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** True when only whole numbers are allowed. */
    public boolean integer() {
        return integer;
    }

    public String description() {
        return description;
    }

    /** The parameter named {@code key}, or null. */
    public static PolicyParameter byKey(String key) {
        return BY_NAME.get(key);
    }

    static PolicyParameter at(int ordinal) {
        return VALUES[ordinal];
    }

    static int count() {
        return VALUES.length;
    }

    /**
     * Why {@code value} is not acceptable for this parameter, or null when it is.
     */
    public String problemWith(double value) {
        if (!Double.isFinite(value)) {
            return key + " is " + value + "; send a finite number in [" + min + ", " + max + "]";
        }
        if (value < min || value > max) {
            return key + " = " + value + " is outside [" + min + ", " + max + "] (" + description + ")";
        }
        if (integer && value != Math.rint(value)) {
            return key + " = " + value + " must be a whole number (" + description + ")";
        }
        return null;
    }
}
