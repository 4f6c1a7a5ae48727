package dev.arbiter.decision.testing;

import java.util.Map;

/**
 * {@link DecidePathProfile}'s application (feature-service and model-service replaced by {@link DecidePathFakes}, a
 * Redis prefix of its own) with the feature schema asked for on every check, so a test can take feature-service
 * down under it: for OutcomeRpcTest, which reads the ReportPredictionOutcome requests the stand-in received. The
 * other in-process tests use the real services ({@link RealDependenciesProfile}).
 */
public class FakeDependenciesProfile extends DecidePathProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("arbiter.decision.policy.schema-cache-ttl", "0s");
    }
}
