package dev.arbiter.rules.testing;

import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.SetRuleSetRequest;
import dev.arbiter.testing.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The two services rule-service reads, as real processes from their packaged jars: feature-service (the feature
 * schema; its own Redis prefix) and decision-service (the live rule set; PostgreSQL database arbiter_test, its schema
 * cleaned at start, its own Redis prefix, the feature-service above checking its rules' features), with
 * {@link #LIVE_RULES} as its live rule set, and none when the tests end. With the init argument {@code models} (a
 * probability), a model-service too (schema cleaned at start) whose default ensemble answers that probability
 * ({@link ConstantEnsemble}), so decision-service decides; without it decision-service is never asked to decide and
 * its model client points at a closed port. Stopped (SIGTERM) when the tests end.
 */
public class ServicesResource implements QuarkusTestResourceLifecycleManager {

    /** The live rules set at start. */
    public static final List<Rule> LIVE_RULES = List.of(
            Rule.newBuilder().setRuleId("calm_markets").setKind(RuleKind.RULE_KIND_GATE)
                    .setExpression("features.vol_20 < 0.03 && agreement >= 0.6").setDescription("trade calm markets").build(),
            Rule.newBuilder().setRuleId("confident_size").setKind(RuleKind.RULE_KIND_SIZING)
                    .setExpression("confidence >= 0.7 ? 1.0 : 0.5").setDescription("halve unsure positions").build());

    public static volatile ServiceProcess features;
    public static volatile ServiceProcess models;
    public static volatile ServiceProcess decisions;
    private Double probability;

    @Override
    public void init(Map<String, String> initArgs) {
        String p = initArgs.get("models");
        probability = p == null ? null : Double.valueOf(p);
    }

    @Override
    public Map<String, String> start() {
        String run = UUID.randomUUID().toString();
        features = ServiceProcess.start("feature-service.runner", "rule-service-test-features", Map.of(
                "arbiter.features.snapshot.key-prefix", "arbiter-test:rules:" + run + ":"));
        try {
            String modelPort = "1";
            if (probability != null) {
                models = ServiceProcess.start("model-service.runner", "rule-service-test-models", new HashMap<>(Map.of(
                        "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                        "quarkus.flyway.clean-disabled", "false",
                        "quarkus.flyway.clean-at-start", "true",
                        "arbiter.models.redis-prefix", "arbiter-test:rules-models:" + run + ":",
                        "arbiter.models.drift.evaluation-interval", "0",
                        "quarkus.grpc.clients.features.host", "127.0.0.1",
                        "quarkus.grpc.clients.features.port", Integer.toString(features.grpcPort))));
                ConstantEnsemble.deploy(models.channel, probability);
                modelPort = Integer.toString(models.grpcPort);
            }
            decisions = ServiceProcess.start("decision-service.runner", "rule-service-test-decisions", new HashMap<>(Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                    "quarkus.flyway.clean-disabled", "false",
                    "quarkus.flyway.clean-at-start", "true",
                    "arbiter.decision.redis-prefix", "arbiter-test:rules:" + run + ":",
                    "arbiter.decision.log.spool-dir", "target/rule-service-test-spool-" + run,
                    "quarkus.grpc.clients.features.port", Integer.toString(features.grpcPort),
                    "quarkus.grpc.clients.models.host", "127.0.0.1",
                    "quarkus.grpc.clients.models.port", modelPort)));
            // the live rule set rule-service compares proposals with (decision-service starts with none)
            DecisionServiceGrpc.newBlockingStub(decisions.channel).setRuleSet(SetRuleSetRequest.newBuilder()
                    .addAllRules(LIVE_RULES).setAuthor("rule-service tests").setReason("live rules to compare with").build());
        } catch (Exception | Error e) {
            if (decisions != null) {
                decisions.close();
            }
            if (models != null) {
                models.close();
            }
            features.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        return Map.of(
                "quarkus.grpc.clients.features.host", "127.0.0.1",
                "quarkus.grpc.clients.features.port", Integer.toString(features.grpcPort),
                "quarkus.grpc.clients.features.test-port", Integer.toString(features.grpcPort),
                "quarkus.grpc.clients.decisions.host", "127.0.0.1",
                "quarkus.grpc.clients.decisions.port", Integer.toString(decisions.grpcPort),
                "quarkus.grpc.clients.decisions.test-port", Integer.toString(decisions.grpcPort));
    }

    @Override
    public void stop() {
        if (decisions != null) {
            try {
                // the database is shared with later suites (the CLI's), whose decision-service does not empty it: leave
                // no rules live, as a fresh decision-service starts
                DecisionServiceGrpc.newBlockingStub(decisions.channel).setRuleSet(SetRuleSetRequest.newBuilder()
                        .setAuthor("rule-service tests").setReason("no rules, as at first start").build());
            } finally {
                decisions.close();
            }
        }
        if (models != null) {
            models.close();
            models = null;
        }
        if (features != null) {
            features.close();
        }
    }
}
