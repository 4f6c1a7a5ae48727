package dev.arbiter.decision.decide;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.policy.DecisionPolicy;
import dev.arbiter.engine.policy.PolicyInput;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.policy.PolicyResult;
import dev.arbiter.proto.v1.FeatureVector;
import org.junit.jupiter.api.Test;

/** Features that may span a gap in their series (FeatureVector.gap_observations_to_cover) are not read: FLAT. */
class FeatureGapTest {

    @Test
    void featuresAfterAGapAreNotWarmUntilTheWindowsCoverIt() {
        FeatureVector warm = FeatureVector.newBuilder().setWarm(true).build();
        assertTrue(DecisionPath.warm(warm));
        assertFalse(DecisionPath.warm(warm.toBuilder().setGapObservationsToCover(3).build()), "a gap still to cover");
        assertFalse(DecisionPath.warm(warm.toBuilder().setWarm(false).build()), "windows still filling");

        // and the policy then stays FLAT however strong the prediction
        DecisionPolicy policy = new DecisionPolicy(PolicyParameters.defaults());
        PolicyResult out = new PolicyResult();
        policy.decide(new PolicyInput().set(0.95, 1.0, 0.01, 0.5, DecisionPath.warm(warm), 0, 0, 0, 0), out);
        assertTrue(out.direction != 0 && out.size > 0, "warm features and a strong prediction act");
        policy.decide(new PolicyInput().set(0.95, 1.0, 0.01, 0.5,
                DecisionPath.warm(warm.toBuilder().setGapObservationsToCover(3).build()), 0, 0, 0, 0), out);
        assertTrue(out.direction == 0 && out.size == 0, "after a gap: FLAT");
    }
}
