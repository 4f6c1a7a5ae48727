package dev.arbiter.decision.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The application wired to a real feature-service and model-service ({@link RealDependencies}), with the feature
 * schema asked for on every rule check, so a test can pause feature-service under it.
 */
public class RealDependenciesProfile implements QuarkusTestProfile {

    /** The running services (one pair per test application). */
    public static volatile RealDependencies services;
    /** This application's Redis prefix. */
    public static volatile String redisPrefix;
    /** The probability model-service's default ensemble answers now (NaN: MsftModels' ensemble). */
    private static double deployed = Double.NaN;

    /** Makes model-service's default ensemble two real models that answer {@code probability} for every row. */
    public static synchronized void ensembleAnswers(double probability) throws Exception {
        if (deployed != probability) {
            MsftModels.deployConstant(services.models.channel, probability);
            deployed = probability;
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("arbiter.decision.policy.schema-cache-ttl", "0s");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            String run = UUID.randomUUID().toString();
            deployed = Double.NaN;
            try {
                services = RealDependencies.start("decide-real", run);
            } catch (Exception e) {
                throw new IllegalStateException("could not start feature-service and model-service: " + e, e);
            }
            Map<String, String> config = new HashMap<>(services.clientConfig());
            redisPrefix = "arbiter-test:decision:" + run + ":";
            config.put("arbiter.decision.redis-prefix", redisPrefix);
            return config;
        }

        @Override
        public void stop() {
            if (services != null) {
                services.close();
            }
        }
    }
}
