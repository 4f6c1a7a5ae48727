package dev.arbiter.engine.policy;

import java.util.Arrays;

/**
 * What the policy decided for one observation and why: direction, size, confidence, every gate's result and
 * how the size was arrived at. Mutable and reusable: {@link DecisionPolicy#decide} overwrites every field, and
 * allocates nothing unless a rule set larger than any seen before is evaluated.
 */
public final class PolicyResult {

    /** +1 LONG, −1 SHORT, 0 FLAT. */
    public int direction;
    /** Fraction of capital in [0, 1]; 0 when FLAT. */
    public double size;
    public double confidence;

    /** Per {@link BuiltInGate} ordinal: passed, measured value, threshold. */
    public final boolean[] gatePassed = new boolean[BuiltInGate.count()];
    public final double[] gateValue = new double[BuiltInGate.count()];
    public final double[] gateThreshold = new double[BuiltInGate.count()];
    /** True when every built-in gate passed. */
    public boolean builtInGatesPassed;

    /** Rules of the evaluated rule set, in order: how many, passed (gates) or multiplier (sizing), error text. */
    public int ruleCount;
    public boolean[] rulePassed = new boolean[0];
    public double[] ruleValue = new double[0];
    public String[] ruleError = new String[0];
    /** True when every gate rule passed (or there were none). */
    public boolean ruleGatesPassed;

    /** The side the ensemble leans to, before gates: +1, −1 or 0 at exactly 0.5. */
    public int leaning;
    /** Sizing steps, for explanations: Kelly cap, volatility-target size, drawdown brake factor, product of sizing rules. */
    public double kellySize;
    public double volatilitySize;
    public double brakeFactor;
    public double ruleMultiplier;
    /** The learned gate's size factor (1 when meta.size_weight is 0). */
    public double metaFactor;
    /** Size before exposure caps, and the cap that bound last (0 none, 1 series, 2 total). */
    public double uncappedSize;
    public int bindingCap;
    /** The cap the exposure gate measured against, the one with less room left (1 series, 2 total). */
    public int exposureGateCap;
    /** True when the size came out below risk.min_size and the decision became FLAT for that reason. */
    public boolean belowMinimumSize;

    /** True when the decision acts (LONG or SHORT). */
    public boolean acts() {
        return direction != 0;
    }

    public boolean passed(BuiltInGate gate) {
        return gatePassed[gate.ordinal()];
    }

    void ensureRuleCapacity(int n) {
        if (rulePassed.length < n) {
            rulePassed = new boolean[n];
            ruleValue = new double[n];
            ruleError = new String[n];
        }
        ruleCount = n;
        Arrays.fill(ruleError, 0, n, null);
    }
}
