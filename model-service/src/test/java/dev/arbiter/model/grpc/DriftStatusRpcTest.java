package dev.arbiter.model.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.model.TrainedModels;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.DriftTestResult;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.GetDriftStatusRequest;
import dev.arbiter.proto.v1.ModelDriftStatus;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import dev.arbiter.proto.v1.NamedFeatures;
import dev.arbiter.proto.v1.PredictBatchRequest;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Predictions through the service fill the drift windows; GetDriftStatus reports a shifted input as drifted. */
@QuarkusTest
class DriftStatusRpcTest {

    @GrpcClient("models")
    ModelServiceBlockingStub models;

    @GrpcClient("models")
    MutinyModelServiceStub mutiny;

    @Test
    void aShiftedInputIsReportedAsDrifted() throws Exception {
        byte[] bytes = TrainedModels.xgboostJson();
        String name = "drift-" + UUID.randomUUID().toString().substring(0, 8);
        ModelVersion v = mutiny.uploadModel(Multi.createFrom().iterable(
                        TrainedModels.upload(TrainedModels.metadata(name, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, bytes).build(), bytes, 1 << 16)))
                .await().atMost(Duration.ofSeconds(60));
        models.activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(name).setVersion(v.getVersion()).build());
        models.defineEnsemble(DefineEnsembleRequest.newBuilder()
                .setEnsemble(EnsembleDefinition.newBuilder().setName(name).addMembers(EnsembleMember.newBuilder().setModelName(name).setVersion(1)))
                .build());

        GetDriftStatusRequest request = GetDriftStatusRequest.newBuilder().setModelName(name).setVersion(1).build();
        ModelDriftStatus empty = models.getDriftStatus(request).getModels(0);
        assertFalse(empty.getEnoughData());
        assertFalse(empty.getDrifted());

        // 500 rows fill the reference window (default reference-size), 500 more the recent window; in the
        // recent rows the first input is shifted by two standard deviations.
        String shifted = TrainedModels.INPUTS.get(0);
        Random random = new Random(21);
        for (int batch = 0; batch < 2; batch++) {
            PredictBatchRequest.Builder b = PredictBatchRequest.newBuilder().setTarget(PredictionTarget.newBuilder().setEnsembleName(name));
            for (int i = 0; i < 500; i++) {
                NamedFeatures.Builder row = TrainedModels.row(random).getNamedFeatures().toBuilder();
                if (batch == 1) {
                    row.putValues(shifted, row.getValuesOrThrow(shifted) + 2.0);
                }
                b.addInputs(PredictionInput.newBuilder().setNamedFeatures(row));
            }
            assertEquals(500, models.predictBatch(b.build()).getResultsList().stream().filter(r -> r.hasPrediction()).count());
        }

        ModelDriftStatus status = models.getDriftStatus(request).getModels(0);
        assertTrue(status.getEnoughData());
        assertEquals(500, status.getReferenceSampleCount());
        assertEquals(500, status.getCurrentSampleCount());
        assertTrue(status.getDrifted(), status.toString());
        DriftTestResult first = status.getFeaturesList().stream().filter(f -> f.getName().equals(shifted)).findFirst().orElseThrow();
        assertTrue(first.getDrifted());
        assertTrue(first.getKsPValue() < 1e-6 && first.getMannWhitneyPValue() < 1e-6, first.toString());
        long others = status.getFeaturesList().stream().filter(f -> !f.getName().equals(shifted) && f.getDrifted()).count();
        assertTrue(others <= 2, "unshifted inputs rarely cross p < 0.01: " + others);

        // Listing every monitored version includes this one.
        assertTrue(models.getDriftStatus(GetDriftStatusRequest.getDefaultInstance()).getModelsList().stream()
                .anyMatch(m -> m.getModelName().equals(name)));
    }
}
