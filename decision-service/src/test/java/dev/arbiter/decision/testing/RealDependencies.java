package dev.arbiter.decision.testing;

import dev.arbiter.testing.ServiceProcess;
import java.util.HashMap;
import java.util.Map;

/**
 * feature-service and model-service as real processes from their packaged jars (the {@code feature-service.runner}
 * and {@code model-service.runner} system properties, which the build sets for surefire and failsafe), on Redis
 * prefixes of their own, model-service on the test database with {@link MsftModels}' ensemble deployed as its
 * default.
 */
public final class RealDependencies implements AutoCloseable {

    public final ServiceProcess features;
    public final ServiceProcess models;

    private RealDependencies(ServiceProcess features, ServiceProcess models) {
        this.features = features;
        this.models = models;
    }

    /**
     * model-service's configuration on the test database and Redis prefix {@code run}, its feature schema from the
     * feature-service at {@code featuresPort}; {@code cleanDatabase} for the first model-service of a test only.
     */
    public static Map<String, String> modelService(String run, int featuresPort, boolean cleanDatabase) {
        Map<String, String> config = new HashMap<>(Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "arbiter.models.redis-prefix", "arbiter-it:models:" + run + ":",
                "arbiter.models.drift.evaluation-interval", "0",
                // the feature schema model inputs are checked against is the one this feature-service serves
                "quarkus.grpc.clients.features.host", "127.0.0.1",
                "quarkus.grpc.clients.features.port", Integer.toString(featuresPort)));
        if (cleanDatabase) {
            config.put("quarkus.flyway.clean-disabled", "false");
            config.put("quarkus.flyway.clean-at-start", "true");
        }
        return config;
    }

    /** feature-service's configuration as a shard ({@code arbiter.features.sharded}) on Redis prefix {@code run}. */
    public static Map<String, String> shardedFeatureService(String run) {
        return Map.of(
                "arbiter.features.sharded", "true",
                "arbiter.features.snapshot.key-prefix", "arbiter-it:features:" + run + ":",
                "arbiter.features.snapshot.ttl", "10m");
    }

    /** Starts both; {@code name} prefixes their logs in target/, {@code run} their Redis prefixes. */
    public static RealDependencies start(String name, String run) throws Exception {
        return start(name, run, Map.of());
    }

    /** The same, with {@code featureConfig} added to feature-service's configuration. */
    public static RealDependencies start(String name, String run, Map<String, String> featureConfig) throws Exception {
        return start(name, run, featureConfig, Map.of());
    }

    /** The same, with {@code bothConfig} added to both services' configuration (TLS, for instance). */
    public static RealDependencies start(String name, String run, Map<String, String> featureConfig, Map<String, String> bothConfig)
            throws Exception {
        Map<String, String> featureService = new HashMap<>(Map.of(
                "arbiter.features.snapshot.key-prefix", "arbiter-it:features:" + run + ":",
                "arbiter.features.snapshot.ttl", "10m"));
        featureService.putAll(featureConfig);
        featureService.putAll(bothConfig);
        ServiceProcess features = ServiceProcess.start("feature-service.runner", name + "-feature-service", featureService);
        try {
            Map<String, String> modelService = modelService(run, features.grpcPort, true);
            modelService.putAll(bothConfig);
            ServiceProcess models = ServiceProcess.start("model-service.runner", name + "-model-service", modelService);
            try {
                MsftModels.deploy(models.channel);
                return new RealDependencies(features, models);
            } catch (Exception | Error e) {
                models.close();
                throw e;
            }
        } catch (Exception | Error e) {
            features.close();
            throw e;
        }
    }

    /**
     * decision-service's clients pointed at both (the test ports too: in test mode a client of localhost otherwise
     * follows the application's own test port).
     */
    public Map<String, String> clientConfig() {
        return clientConfig(features.grpcPort, models.grpcPort);
    }

    /** decision-service's clients pointed at these ports on the loopback (proxies in front of the two services). */
    public static Map<String, String> clientConfig(int featurePort, int modelPort) {
        String features = Integer.toString(featurePort);
        String models = Integer.toString(modelPort);
        return Map.of(
                "quarkus.grpc.clients.features.host", "127.0.0.1",
                "quarkus.grpc.clients.features.port", features,
                "quarkus.grpc.clients.features.test-port", features,
                "quarkus.grpc.clients.models.host", "127.0.0.1",
                "quarkus.grpc.clients.models.port", models,
                "quarkus.grpc.clients.models.test-port", models);
    }

    @Override
    public void close() {
        models.close();
        features.close();
    }
}
