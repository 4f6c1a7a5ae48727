package dev.arbiter.decision.testing;

import dev.arbiter.testing.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The application wired to a real feature-service and model-service ({@link RealDependencies}), each behind a
 * {@link TcpProxy} a test can cut (the service is then down: connections refused) while {@code pause()} makes it hang
 * (SIGSTOP), and to Redis through a proxy too (the tests reach Redis through the application's client); the feature
 * schema is asked for on every rule check, so a test can pause feature-service under it.
 * Circuit breakers stay open for a minute once opened, so a test sees them open for as long as it needs; a test that
 * opens one closes it again itself ({@code CircuitBreakerMaintenance.resetAll()}).
 */
public class RealDependenciesProfile implements QuarkusTestProfile {

    /** The running services (one pair per test application). */
    public static volatile RealDependencies services;
    /** The proxies decision-service reaches feature-service and model-service through. */
    public static volatile TcpProxy featureProxy;
    public static volatile TcpProxy modelProxy;
    /** The proxy the application reaches Redis through. */
    public static volatile TcpProxy redisProxy;
    /** This application's Redis prefix. */
    public static volatile String redisPrefix;
    /** Receives the alerts (arbiter.alerts.webhook-url) of the decision-service under test. */
    public static volatile WebhookReceiver alerts;
    /** The probability model-service's default ensemble answers now (NaN: MsftModels' ensemble, or one with a meta model). */
    private static double deployed = Double.NaN;

    /** Makes model-service's default ensemble two real models that answer {@code probability} for every row. */
    public static synchronized void ensembleAnswers(double probability) throws Exception {
        if (deployed != probability) {
            MsftModels.deployConstant(services.models.channel, probability);
            deployed = probability;
        }
    }

    /** As {@link #ensembleAnswers(double)}, with a meta model that answers {@code metaProbability} for every row. */
    public static synchronized void ensembleAnswers(double probability, double metaProbability) throws Exception {
        MsftModels.deployConstant(services.models.channel, probability, metaProbability);
        deployed = Double.NaN;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "arbiter.decision.policy.schema-cache-ttl", "0s",
                "arbiter.decision.breaker.delay", "60s",
                // the tests count the calls that open a circuit: five failures in five calls
                "arbiter.decision.breaker.window", "5",
                "arbiter.decision.breaker.failure-ratio", "1.0");
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
            featureProxy = new TcpProxy(services.features.grpcPort);
            modelProxy = new TcpProxy(services.models.grpcPort);
            redisProxy = new TcpProxy(6379);
            Map<String, String> config = new HashMap<>(RealDependencies.clientConfig(featureProxy.port(),
                    modelProxy.port()));
            config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + redisProxy.port());
            redisPrefix = "arbiter-test:decision:" + run + ":";
            config.put("arbiter.decision.redis-prefix", redisPrefix);
            alerts = new WebhookReceiver();
            config.put("arbiter.alerts.webhook-url", alerts.url());
            return config;
        }

        @Override
        public void stop() {
            if (featureProxy != null) {
                featureProxy.close();
                modelProxy.close();
                redisProxy.close();
            }
            if (services != null) {
                services.close();
            }
            if (alerts != null) {
                alerts.close();
            }
        }
    }
}
