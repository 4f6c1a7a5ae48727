package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.decision.testing.RealDependencies;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.ServiceProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One PostgreSQL role per service with least privilege (helm/arbiter/files/database-roles.sql, run with psql as the
 * chart's README says): on a fresh database, model-service and decision-service migrate and serve as their own roles,
 * decisions flow through both, and each role is refused (SQLSTATE 42501) another service's schema and the public one.
 */
class DatabaseRolesIT {

    static final String DATABASE = "arbiter_roles_it";

    @Test
    void eachServiceRunsAsItsOwnRoleAndCannotReachAnotherServicesSchema() throws Exception {
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE);
        }
        Process psql = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DATABASE, "-v", "ON_ERROR_STOP=1",
                "-v", "model_password=model-secret", "-v", "decision_password=decision-secret", "-v", "optimizer_password=optimizer-secret",
                "-v", "rule_password=rule-secret", "-f", Path.of("..", "helm", "arbiter", "files", "database-roles.sql").toString())
                .redirectErrorStream(true).start();
        String output = new String(psql.getInputStream().readAllBytes());
        assertEquals(0, psql.waitFor(), "psql: " + output);

        String run = UUID.randomUUID().toString();
        String url = "jdbc:postgresql://127.0.0.1:5432/" + DATABASE;
        Map<String, String> featureConfig = new HashMap<>(RealDependencies.shardedFeatureService(run));
        featureConfig.put("arbiter.features.sharded", "false");
        try (ServiceProcess features = ServiceProcess.start("feature-service.runner", "database-roles-it-features", featureConfig)) {
            Map<String, String> models = RealDependencies.modelService(run, features.grpcPort, false);
            models.put("quarkus.datasource.jdbc.url", url);
            models.put("quarkus.datasource.username", "arbiter_model");
            models.put("quarkus.datasource.password", "model-secret");
            try (ServiceProcess modelService = ServiceProcess.start("model-service.runner", "database-roles-it-models", models)) {
                MsftModels.deploy(modelService.channel);
                Map<String, String> decisions = DecisionLogKillIT.config("arbiter-it:roles:" + run + ":",
                        Path.of("target", "database-roles-it-spool-" + run), DecisionLogKillIT.freePort(), false);
                decisions.putAll(RealDependencies.clientConfig(features.grpcPort, modelService.grpcPort));
                decisions.put("quarkus.datasource.jdbc.url", url);
                decisions.put("quarkus.datasource.username", "arbiter_decision");
                decisions.put("quarkus.datasource.password", "decision-secret");
                decisions.remove("quarkus.flyway.clean-disabled");
                try (ServiceProcess decisionService = ServiceProcess.start(DecisionLogKillIT.RUNNER, "database-roles-it-decisions", decisions)) {
                    List<Observation> series = Msft.observations("roles-" + run, 70);
                    java.util.Set<String> acknowledged = new java.util.HashSet<>();
                    for (Observation o : series) {
                        Decision d = DecisionServiceGrpc.newBlockingStub(decisionService.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                                .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5_000).build());
                        assertFalse(d.getDegraded(), d.getDegradedReason());
                        acknowledged.add(d.getDecisionId());
                    }
                    assertEquals(acknowledged, LoggedDecisions.await(DATABASE, "roles-" + run, acknowledged).ids(),
                            "logged by decision-service as arbiter_decision");
                }
            }
        }
        // each role: its own schema's tables yes, another's and public no
        refused("arbiter_decision", "SELECT count(*) FROM model.model_version");
        refused("arbiter_model", "SELECT count(*) FROM decision.decision");
        refused("arbiter_decision", "CREATE TABLE public.sneaky (a int)");
        refused("arbiter_model", "CREATE SCHEMA sneaky");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + DATABASE, "arbiter_decision", "decision-secret");
                Statement st = c.createStatement()) {
            st.executeQuery("SELECT count(*) FROM decision.decision").close();
        }
    }

    private static void refused(String role, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + DATABASE, role, "x");
                Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), role + ": " + sql);
            assertEquals("42501", e.getSQLState(), role + ": " + sql + " -> " + e.getMessage());
        }
    }
}
