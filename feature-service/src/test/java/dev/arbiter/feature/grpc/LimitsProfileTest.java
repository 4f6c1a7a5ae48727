package dev.arbiter.feature.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.feature.TestSeries;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import dev.arbiter.proto.v1.IngestOutcome;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The series cap and the drop policy for out-of-order observations, on an instance configured for them. */
@QuarkusTest
@TestProfile(LimitsProfileTest.Limits.class)
class LimitsProfileTest {

    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("arbiter.features.max-series", "3", "arbiter.features.out-of-order", "drop");
        }
    }

    static final TestSeries MSFT = TestSeries.msft();

    @GrpcClient("features")
    FeatureServiceBlockingStub blocking;

    @Test
    void moreSeriesThanTheCapAreRefusedAndTheOthersGoOn() {
        for (String id : new String[] {"cap-a", "cap-b", "cap-c"}) {
            blocking.ingest(MSFT.request(id, 0));
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking.ingest(MSFT.request("cap-d", 0)));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("cap of 3 series")
                && e.getStatus().getDescription().startsWith("observation.series_id"), e.getStatus().getDescription());
        assertFalse(e.getStatus().getDescription().contains("arbiter."), "no server setting in a client's refusal");
        assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, blocking.ingest(MSFT.request("cap-a", 1)).getOutcome());

        // An older observation is dropped, answered with the latest features, and advances nothing.
        IngestResponse latest = blocking.ingest(MSFT.request("cap-b", 2));
        IngestRequest older = IngestRequest.newBuilder()
                .setObservation(MSFT.observation("cap-b", 1).toBuilder().setValue(1.0))
                .build();
        IngestResponse dropped = blocking.ingest(older);
        assertEquals(IngestOutcome.INGEST_OUTCOME_DROPPED_OUT_OF_ORDER, dropped.getOutcome());
        assertEquals(latest.getFeatures(), dropped.getFeatures());
        assertEquals(2, dropped.getFeatures().getObservationCount());
    }
}
