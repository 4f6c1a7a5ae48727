package dev.arbiter.decision.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The application with feature-service and model-service replaced by {@link FakeDependencies} and a Redis prefix of
 * its own: for the policy, decision log, outcome, performance and replay tests, which need no real decide path.
 */
public class FakeDependenciesProfile implements QuarkusTestProfile {

    /** The running fakes (one per test application). */
    public static volatile FakeDependencies fakes;
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
            fakes = new FakeDependencies();
            redisPrefix = "arbiter-test:decision:" + UUID.randomUUID() + ":";
            return Map.of(
                    "quarkus.grpc.clients.features.host", "127.0.0.1",
                    "quarkus.grpc.clients.features.port", String.valueOf(fakes.port()),
                    // in test mode a client of localhost otherwise follows this application's own test port
                    "quarkus.grpc.clients.features.test-port", String.valueOf(fakes.port()),
                    "quarkus.grpc.clients.models.test-port", String.valueOf(fakes.port()),
                    "quarkus.grpc.clients.models.host", "127.0.0.1",
                    "quarkus.grpc.clients.models.port", String.valueOf(fakes.port()),
                    "arbiter.decision.redis-prefix", redisPrefix);
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
