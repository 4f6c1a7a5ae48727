package dev.arbiter.model.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.model.TrainedModels;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A prediction that holds a version keeps it, whatever happens to the version meanwhile. */
@QuarkusTest
class InFlightSwapTest {

    @GrpcClient("models")
    MutinyModelServiceStub mutiny;

    @Inject
    ModelServing serving;

    @Inject
    ModelLifecycle lifecycle;

    @Test
    void anInFlightPredictionFinishesOnTheVersionItStartedWith() throws Exception {
        byte[] bytes = TrainedModels.logisticOnnx();
        String name = "inflight-" + UUID.randomUUID().toString().substring(0, 8);
        ModelVersion uploaded = mutiny.uploadModel(Multi.createFrom().iterable(
                        TrainedModels.upload(TrainedModels.metadata(name, ModelFormat.MODEL_FORMAT_ONNX, bytes).build(), bytes, 1 << 16)))
                .await().atMost(Duration.ofSeconds(60));
        VersionKey key = new VersionKey(name, uploaded.getVersion());
        lifecycle.activate(key, "test");

        double[] row = new Random(2).doubles(TrainedModels.INPUTS.size()).toArray();
        LoadedModel inFlight = serving.acquire(key); // a request has started on this version
        double before = inFlight.runtime.predict(row);

        lifecycle.retire(key, "swapped out mid-request");
        assertFalse(serving.isLoaded(key), "new requests no longer find it");
        assertFalse(inFlight.closed(), "but the request that holds it keeps it");
        assertEquals(before, inFlight.runtime.predict(row), 0.0, "and finishes on it");

        inFlight.release();
        assertTrue(inFlight.closed(), "the runtime closes when the last request on it ends");

        LoadedModel again = serving.acquire(key); // replay of a retired version loads it afresh
        try {
            assertNotSame(inFlight, again);
            assertEquals(before, again.runtime.predict(row), 0.0);
        } finally {
            again.release();
        }
    }
}
