package dev.arbiter.feature.grpc;

import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.testing.RoleMatrix;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * With authentication on (a tokens file, as the Helm chart always sets), every RPC of FeatureService answers each role as
 * auth.proto's allowed_roles say: admitted, or PERMISSION_DENIED naming the roles it admits; without a token, with an
 * unknown one or another scheme, UNAUTHENTICATED (test-support's RoleMatrix).
 */
@QuarkusTest
@TestProfile(RoleMatrix.TokensRequired.class)
class AuthorizationTest {

    @GrpcClient("features")
    Channel channel;

    @Test
    void everyRpcAdmitsItsRolesAndRefusesTheOthers() {
        RoleMatrix.assertEveryRpc(channel, FeatureServiceGrpc.getServiceDescriptor());
    }
}
