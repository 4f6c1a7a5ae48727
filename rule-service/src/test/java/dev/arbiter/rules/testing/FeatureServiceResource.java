package dev.arbiter.rules.testing;

import dev.arbiter.testing.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/**
 * A real feature-service process from its packaged jar (the {@code feature-service.runner} system property), on a Redis
 * prefix of its own; rule-service's client "features" points at it. Stopped (SIGTERM) when the tests end, or killed
 * by a test that needs it gone ({@link #service}).
 */
public class FeatureServiceResource implements QuarkusTestResourceLifecycleManager {

    public static volatile ServiceProcess service;

    @Override
    public Map<String, String> start() {
        service = ServiceProcess.start("feature-service.runner", "rule-service-test-features", Map.of(
                "arbiter.features.snapshot.key-prefix", "arbiter-test:rules:" + UUID.randomUUID() + ":"));
        return Map.of(
                "quarkus.grpc.clients.features.host", "127.0.0.1",
                "quarkus.grpc.clients.features.port", Integer.toString(service.grpcPort),
                "quarkus.grpc.clients.features.test-port", Integer.toString(service.grpcPort));
    }

    @Override
    public void stop() {
        if (service != null) {
            service.close();
        }
    }
}
