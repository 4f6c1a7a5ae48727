package dev.arbiter.decision.grpc;

import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.testing.RoleMatrix;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With authentication on (a tokens file, as the Helm chart always sets), every RPC of DecisionService answers each role as
 * auth.proto's allowed_roles say: admitted, or PERMISSION_DENIED naming the roles it admits; without a token, with an
 * unknown one or another scheme, UNAUTHENTICATED (test-support's RoleMatrix).
 */
@QuarkusTest
@TestProfile(AuthorizationTest.TokensRequired.class)
class AuthorizationTest {

    /** RoleMatrix's tokens, and a spool of its own: a spool directory is held by one application at a time. */
    public static class TokensRequired extends RoleMatrix.TokensRequired {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("arbiter.decision.log.spool-dir", "target/decision-spool-authorization-test");
            return config;
        }
    }

    @GrpcClient("decision")
    Channel channel;

    @Test
    void everyRpcAdmitsItsRolesAndRefusesTheOthers() {
        RoleMatrix.assertEveryRpc(channel, DecisionServiceGrpc.getServiceDescriptor());
    }
}
