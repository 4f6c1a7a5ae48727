package dev.arbiter.model.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.ListModelsRequest;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The RPCs that admit the admin role are limited per client (service-support's AdminRateLimit in BearerAuth): here two
 * at once and one a minute after, so the third change in a row is RESOURCE_EXHAUSTED with when to retry, before it
 * runs, while reads go on.
 */
@QuarkusTest
@TestProfile(AdminLimitTest.TwoChanges.class)
class AdminLimitTest {

    public static class TwoChanges implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("arbiter.limits.admin-burst", "2", "arbiter.limits.admin-per-minute", "1");
        }
    }

    @GrpcClient("models")
    ModelServiceBlockingStub models;

    @Test
    void theThirdChangeInARowIsRefusedWithWhenToRetryAndReadsGoOn() {
        for (int i = 0; i < 2; i++) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> models.activateModelVersion(ActivateModelVersionRequest.getDefaultInstance()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), "within the limit the service itself answers");
        }
        StatusRuntimeException limited = assertThrows(StatusRuntimeException.class,
                () -> models.activateModelVersion(ActivateModelVersionRequest.getDefaultInstance()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, limited.getStatus().getCode());
        assertTrue(limited.getStatus().getDescription().matches(
                "arbiter\\.v1\\.ModelService/ActivateModelVersion: changes are limited to 1 a minute after a burst of 2 per client;"
                        + " retry in \\d+ ms"), limited.getStatus().getDescription());
        models.listModels(ListModelsRequest.getDefaultInstance()); // reads are not limited
    }
}
