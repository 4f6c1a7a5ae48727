package dev.arbiter.decision.policy;

import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;

/**
 * The policy one decision uses: the variant it belongs to ("live" for the default policy), the parameter set
 * and rule set versions and their values, the rules compiled against the decision's feature schema, and the shadow
 * run's rules to decide with beside them (null when no shadow run is running or the decision is not the live
 * policy's). Immutable.
 */
public record PolicySnapshot(String variantName, int parameterSetVersion, PolicyParameters parameters,
                             int ruleSetVersion, CompiledRuleSet rules, Shadow shadow) {

    /**
     * A shadow run's rule set compiled against the decision's schema; {@code rules} null and {@code error} set when it
     * does not compile against it.
     */
    public record Shadow(String shadowId, int ruleSetVersion, CompiledRuleSet rules, String error) {}
}
