package dev.arbiter.decision.policy;

import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;

/**
 * The policy one decision uses: the variant it belongs to ("live" for the default policy), the parameter set
 * and rule set versions and their values, the rules compiled against the decision's feature schema. Immutable.
 */
public record PolicySnapshot(String variantName, int parameterSetVersion, PolicyParameters parameters,
                             int ruleSetVersion, CompiledRuleSet rules) {
}
