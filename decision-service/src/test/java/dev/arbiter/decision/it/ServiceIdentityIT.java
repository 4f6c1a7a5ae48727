package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.decision.testing.RealDependencies;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.service.auth.CallerToken;
import dev.arbiter.service.auth.Tokens;
import dev.arbiter.testing.RoleMatrix;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Calls between services carry the calling service's own identity: feature-service and model-service with
 * authentication on, decision-service with a token of its own holding decide and read, decides through both (not
 * degraded); a decision-service whose own token holds only read gets PERMISSION_DENIED from feature-service and answers
 * a degraded FLAT decision that says so, while a client without a token is refused UNAUTHENTICATED.
 */
class ServiceIdentityIT {

    @Test
    void servicesCallEachOtherWithTheirOwnTokensAndAWeakIdentityDegradesNotFails() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path dir = Path.of("target", "service-identity-it-" + run).toAbsolutePath();
        Path tokens = RoleMatrix.writeTokensFile(dir);
        Path decisionToken = identity(dir, tokens, "decision-service", "decide,read");
        Path modelToken = identity(dir, tokens, "model-service", "read");
        Path weakToken = identity(dir, tokens, "decision-service-read-only", "read");

        Map<String, String> features = new HashMap<>(RealDependencies.shardedFeatureService(run));
        features.put("arbiter.features.sharded", "false");
        features.put("arbiter.auth.tokens-file", tokens.toString());
        try (ServiceProcess featureService = ServiceProcess.start("feature-service.runner", "service-identity-it-features", features)) {
            Map<String, String> models = RealDependencies.modelService(run, featureService.grpcPort, true);
            models.put("arbiter.auth.tokens-file", tokens.toString());
            models.put("arbiter.auth.token-file", modelToken.toString());
            try (ServiceProcess modelService = ServiceProcess.start("model-service.runner", "service-identity-it-models", models)) {
                MsftModels.deploy(withToken(modelService, RoleMatrix.token("admin"), dir));

                Map<String, String> decisions = decisionConfig(run, "a", featureService, modelService, tokens, decisionToken);
                try (ServiceProcess decisionService = ServiceProcess.start(DecisionLogKillIT.RUNNER, "service-identity-it-decisions", decisions)) {
                    Channel decide = withToken(decisionService, RoleMatrix.token("decide"), dir);
                    List<Observation> msft = Msft.observations("identity-" + run, 80);
                    int degraded = 0;
                    for (Observation o : msft) {
                        Decision d = DecisionServiceGrpc.newBlockingStub(decide).withDeadlineAfter(30, TimeUnit.SECONDS)
                                .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5_000).build());
                        degraded += d.getDegraded() ? 1 : 0;
                    }
                    assertEquals(0, degraded, "decisions through feature- and model-service with decision-service's own token");
                    StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class, () -> DecisionServiceGrpc
                            .newBlockingStub(decisionService.channel).decide(DecideRequest.newBuilder().setObservation(msft.get(0)).build()));
                    assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());
                }

                Map<String, String> weak = decisionConfig(run, "b", featureService, modelService, tokens, weakToken);
                try (ServiceProcess decisionService = ServiceProcess.start(DecisionLogKillIT.RUNNER, "service-identity-it-decisions-weak", weak)) {
                    Decision d = DecisionServiceGrpc.newBlockingStub(withToken(decisionService, RoleMatrix.token("decide"), dir))
                            .withDeadlineAfter(30, TimeUnit.SECONDS).decide(DecideRequest.newBuilder()
                                    .setObservation(Msft.observations("identity-weak-" + run, 1).get(0)).setLatencyBudgetMs(5_000).build());
                    assertTrue(d.getDegraded(), "a decision-service whose own token lacks decide cannot ingest");
                    assertTrue(d.getDegradedReason().contains("PERMISSION_DENIED") && d.getDegradedReason().contains("decision-service-read-only")
                            && d.getDegradedReason().contains("arbiter.auth.token-file"), d.getDegradedReason());
                    assertFalse(d.getDegradedReason().contains(RoleMatrix.token("read")), "no token in a reason");
                    // no token in any log line of the three services
                    for (String log : List.of("service-identity-it-features", "service-identity-it-models", "service-identity-it-decisions",
                            "service-identity-it-decisions-weak")) {
                        String text = Files.readString(Path.of("target", log + ".log"));
                        for (Path tokenFile : List.of(decisionToken, modelToken, weakToken)) {
                            assertFalse(text.contains(Files.readString(tokenFile).strip()), log + " logs a service's token");
                        }
                        for (String role : RoleMatrix.ROLES) {
                            assertFalse(text.contains(RoleMatrix.token(role)), log + " logs a caller's token");
                        }
                    }
                    System.out.println("ServiceIdentityIT: 80 decisions undegraded with decision-service's own token; with a read-only"
                            + " one: " + d.getDegradedReason());
                }
            }
        }
    }

    /** A tokens file that does not parse stops the service as it starts (not at its first call), naming the line. */
    @Test
    void aBrokenTokensFileStopsTheStartNamingTheLine() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "service-identity-it-broken-" + UUID.randomUUID().toString().substring(0, 8)));
        Path tokens = Files.writeString(dir.resolve("tokens").toAbsolutePath(), "ops-alice " + Tokens.sha256("x".repeat(20)) + " read,root\n");
        Map<String, String> features = new HashMap<>(Map.of("arbiter.auth.tokens-file", tokens.toString()));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ServiceProcess.start("feature-service.runner", "service-identity-it-broken-tokens", features).close());
        assertTrue(e.getMessage().contains("exited"), e.getMessage());
        String log = Files.readString(Path.of("target", "service-identity-it-broken-tokens.log"));
        assertTrue(log.contains(tokens + " line 1: unknown role 'root'"), log.substring(Math.max(0, log.length() - 3000)));
    }

    /** Adds a service identity to the tokens file and writes its token (random) to a file of its own. */
    private static Path identity(Path dir, Path tokens, String name, String roles) throws Exception {
        String token = "identity-" + name + "-" + UUID.randomUUID();
        Files.writeString(tokens, name + " " + Tokens.sha256(token) + " " + roles + "\n", java.nio.file.StandardOpenOption.APPEND);
        Path file = dir.resolve(name + ".token");
        Files.writeString(file, token + "\n");
        return file;
    }

    /** The process' channel with {@code token} on every call. */
    private static Channel withToken(ServiceProcess p, String token, Path dir) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "client", ".token"), token);
        return ClientInterceptors.intercept(p.channel, new CallerToken(Optional.of(file)));
    }

    private static Map<String, String> decisionConfig(String run, String name, ServiceProcess features, ServiceProcess models,
                                                      Path tokens, Path ownToken) throws Exception {
        Map<String, String> c = DecisionLogKillIT.config("arbiter-it:identity:" + run + ":" + name + ":",
                Files.createDirectories(Path.of("target", "service-identity-it-" + run, "spool-" + name)), DecisionLogKillIT.freePort(), false);
        c.putAll(RealDependencies.clientConfig(features.grpcPort, models.grpcPort));
        c.put("arbiter.auth.tokens-file", tokens.toString());
        c.put("arbiter.auth.token-file", ownToken.toString());
        return c;
    }
}
