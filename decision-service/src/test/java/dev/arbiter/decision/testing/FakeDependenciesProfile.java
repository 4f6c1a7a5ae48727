package dev.arbiter.decision.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The application with feature-service and model-service replaced by {@link DecidePathFakes} and a Redis prefix of
 * its own, the feature schema asked for on every check: for the policy, decision log, outcome, performance and replay
 * tests. The decide path's tests use {@link DecidePathProfile}; its end-to-end tests use the real services.
 */
public class FakeDependenciesProfile implements QuarkusTestProfile {

    /** The running fakes (one per test application). */
    public static volatile DecidePathFakes fakes;
    /** This application's Redis prefix. */
    public static volatile String redisPrefix;

    @Override
    public Map<String, String> getConfigOverrides() {
        // Ask feature-service for its schema on every check, so a test can take it down.
        return Map.of("arbiter.decision.policy.schema-cache-ttl", "0s");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            fakes = new DecidePathFakes();
            redisPrefix = "arbiter-test:decision:" + UUID.randomUUID() + ":";
            return fakes.wiring(redisPrefix);
        }

        @Override
        public void stop() {
            try {
                fakes.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
