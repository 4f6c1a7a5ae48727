package dev.arbiter.decision.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The application with feature-service and model-service replaced by {@link DecidePathFakes}, whose behaviour the
 * decide path tests switch; circuit breakers stay open for a minute once opened, so a test sees them open for as
 * long as it needs and closes them itself (CircuitBreakerMaintenance.resetAll()).
 */
public class DecidePathProfile implements QuarkusTestProfile {

    /** The running fakes (one per test application). */
    public static volatile DecidePathFakes fakes;
    /** This application's Redis prefix. */
    public static volatile String redisPrefix;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("arbiter.decision.breaker.delay", "60s");
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
