package dev.arbiter.decision.it;

import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.decision.testing.RealDependencies;
import dev.arbiter.testing.ServiceProcess;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * feature-service, model-service (with {@link MsftModels} deployed) and decision-service as real processes from their
 * packaged jars, wired to each other, on the test database and Redis prefixes of their own.
 */
final class ServiceStack implements AutoCloseable {

    final ServiceProcess features;
    final ServiceProcess models;
    final ServiceProcess decisions;
    /** decision-service's Redis prefix: another replica given it shares the risk state and the policy notices. */
    final String decisionRedisPrefix;

    private ServiceStack(ServiceProcess features, ServiceProcess models, ServiceProcess decisions, String decisionRedisPrefix) {
        this.features = features;
        this.models = models;
        this.decisions = decisions;
        this.decisionRedisPrefix = decisionRedisPrefix;
    }

    /** Starts the three services; {@code name} prefixes their logs in target/. */
    static ServiceStack start(String name, Map<String, String> decisionConfig) throws Exception {
        return start(name, decisionConfig, Map.of());
    }

    /** The same, with {@code featureConfig} added to feature-service's configuration. */
    static ServiceStack start(String name, Map<String, String> decisionConfig, Map<String, String> featureConfig)
            throws Exception {
        String run = UUID.randomUUID().toString();
        RealDependencies dependencies = RealDependencies.start(name, run, featureConfig);
        try {
            Map<String, String> config = new HashMap<>(Map.of(
                    "quarkus.flyway.clean-disabled", "false",
                    "quarkus.flyway.clean-at-start", "true"));
            config.putAll(decisionConfig);
            ServiceProcess decisions = decisionService(name, run, dependencies.clientConfig(), config);
            return new ServiceStack(dependencies.features, dependencies.models, decisions,
                    config.getOrDefault("arbiter.decision.redis-prefix", redisPrefix(run)));
        } catch (Exception | Error e) {
            dependencies.close();
            throw e;
        }
    }

    /**
     * One more decision-service process, wired to this stack's feature-service and model-service, with Redis and
     * spool of its own and {@code config} on top; it shares the decision log's database (not emptied again).
     */
    ServiceProcess anotherDecisionService(String name, Map<String, String> config) {
        return decisionService(name, UUID.randomUUID().toString(), Map.of(
                "quarkus.grpc.clients.features.host", "127.0.0.1",
                "quarkus.grpc.clients.features.port", Integer.toString(features.grpcPort),
                "quarkus.grpc.clients.models.host", "127.0.0.1",
                "quarkus.grpc.clients.models.port", Integer.toString(models.grpcPort)), config);
    }

    private static ServiceProcess decisionService(String name, String run, Map<String, String> clients,
                                                  Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "arbiter.decision.redis-prefix", redisPrefix(run),
                "arbiter.decision.log.spool-dir", "target/" + name + "-spool-" + run));
        config.putAll(clients);
        config.putAll(extra);
        return ServiceProcess.start("decision-service.runner", name + "-decision-service", config);
    }

    private static String redisPrefix(String run) {
        return "arbiter-it:decision:" + run + ":";
    }

    @Override
    public void close() {
        decisions.close();
        models.close();
        features.close();
    }
}
