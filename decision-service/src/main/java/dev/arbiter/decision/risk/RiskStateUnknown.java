package dev.arbiter.decision.risk;

/**
 * Redis does not hold a known risk state (it lost its data: restarted without persistence, or the key was evicted).
 * Nothing was read or changed; {@link RiskStateRebuild} sets the state again from the decision log.
 */
public class RiskStateUnknown extends RuntimeException {

    public RiskStateUnknown() {
        super("the risk state is not known: Redis lost it (restarted without persistence, or the key was evicted);"
                + " it is being rebuilt from the decision log and every decision is FLAT until then");
    }
}
