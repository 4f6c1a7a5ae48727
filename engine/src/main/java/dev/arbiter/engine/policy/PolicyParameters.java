package dev.arbiter.engine.policy;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One complete, immutable set of policy parameter values, indexed by {@link PolicyParameter}. Reading a value
 * is an array load, so the policy and the simulator read them on every step without cost.
 */
public final class PolicyParameters {

    private static final PolicyParameters DEFAULTS;

    static {
        double[] v = new double[PolicyParameter.count()];
        for (PolicyParameter p : PolicyParameter.values()) {
            v[p.ordinal()] = p.defaultValue();
        }
        DEFAULTS = new PolicyParameters(v);
    }

    private final double[] values;

    private PolicyParameters(double[] values) {
        this.values = values;
    }

    /** Every parameter at its documented default. */
    public static PolicyParameters defaults() {
        return DEFAULTS;
    }

    /**
     * These parameters with some changed.
     *
     * @throws IllegalArgumentException naming the first unknown name or out-of-range value and the fix
     */
    public PolicyParameters with(Map<String, Double> changes) {
        double[] v = values.clone();
        for (Map.Entry<String, Double> e : changes.entrySet()) {
            PolicyParameter p = PolicyParameter.byKey(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("unknown policy parameter \"" + e.getKey() + "\"; known: "
                        + String.join(", ", keys()));
            }
            double value = e.getValue() == null ? Double.NaN : e.getValue();
            String problem = p.problemWith(value);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            v[p.ordinal()] = value;
        }
        checkConsistent(v);
        return new PolicyParameters(v);
    }

    /** These parameters with one changed (same checks as {@link #with(Map)}). */
    public PolicyParameters with(PolicyParameter parameter, double value) {
        return with(Map.of(parameter.key(), value));
    }

    private static void checkConsistent(double[] v) {
        double soft = v[PolicyParameter.RISK_DRAWDOWN_SOFT.ordinal()];
        double limit = v[PolicyParameter.RISK_DRAWDOWN_LIMIT.ordinal()];
        if (soft > limit) {
            throw new IllegalArgumentException("risk.drawdown_soft = " + soft + " is above risk.drawdown_limit = " + limit
                    + "; the brake must start at or before its limit");
        }
        double min = v[PolicyParameter.RISK_MIN_SIZE.ordinal()];
        double max = v[PolicyParameter.RISK_MAX_SIZE.ordinal()];
        if (min > max) {
            throw new IllegalArgumentException("risk.min_size = " + min + " is above risk.max_size = " + max
                    + "; lower risk.min_size or raise risk.max_size");
        }
    }

    public double get(PolicyParameter parameter) {
        return values[parameter.ordinal()];
    }

    /** The value of the parameter named {@code key}; IllegalArgumentException for an unknown name. */
    public double get(String key) {
        PolicyParameter p = PolicyParameter.byKey(key);
        if (p == null) {
            throw new IllegalArgumentException("unknown policy parameter \"" + key + "\"; known: " + String.join(", ", keys()));
        }
        return values[p.ordinal()];
    }

    /** Every value by name, in catalogue order. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (PolicyParameter p : PolicyParameter.values()) {
            m.put(p.key(), values[p.ordinal()]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Every parameter name, in catalogue order. */
    public static String[] keys() {
        PolicyParameter[] all = PolicyParameter.values();
        String[] k = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            k[i] = all[i].key();
        }
        return k;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyParameters p && Arrays.equals(values, p.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
