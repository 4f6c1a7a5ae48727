package dev.arbiter.model.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.model.TrainedModels;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import com.icegreen.greenmail.util.GreenMailUtil;
import dev.arbiter.engine.drift.FeatureScale;
import dev.arbiter.model.drift.DriftMonitor;
import dev.arbiter.model.testing.AlertReceivers;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import dev.arbiter.proto.v1.DriftSeverity;
import dev.arbiter.proto.v1.DriftTestResult;
import dev.arbiter.proto.v1.ResetDriftReferenceRequest;
import dev.arbiter.proto.v1.ResetDriftReferenceResponse;
import io.grpc.Status;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.GetDriftStatusRequest;
import dev.arbiter.proto.v1.ModelDriftStatus;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionStatus;
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

    @Inject
    DriftMonitor drift;

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
        // Shifted: the return-scale input with the shortest rolling window (price levels are not tested).
        String shifted = TrainedModels.INPUTS.stream().filter(n -> FeatureScale.of(n).tested())
                .min(java.util.Comparator.comparingInt(FeatureScale::rollingWindow)).orElseThrow();
        String level = TrainedModels.INPUTS.stream().filter(n -> FeatureScale.of(n) == FeatureScale.LEVEL).findFirst().orElseThrow();
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
        assertTrue(first.getQValue() < 0.01 && first.getTested(), first.toString());
        assertEquals(DriftSeverity.DRIFT_SEVERITY_SIGNIFICANT, first.getSeverity(), first.toString());
        long others = status.getFeaturesList().stream().filter(f -> !f.getName().equals(shifted) && f.getDrifted()).count();
        assertEquals(0, others, "unshifted inputs drifted: " + status);
        DriftTestResult untested = status.getFeaturesList().stream().filter(f -> f.getName().equals(level)).findFirst().orElseThrow();
        assertFalse(untested.getTested(), untested.toString());
        assertEquals("activation", status.getReferenceReason());
        assertEquals(1, status.getReferenceGeneration());
        assertTrue(status.getReferenceSetTsMicros() > 0);

        // The drift is alerted once, to the webhook and by email (real receivers: AlertReceivers).
        drift.evaluate();
        MimeMessage mail = AlertReceivers.awaitEmail(m -> subject(m).contains("drift of " + name + " v1"), 30);
        assertEquals(AlertReceivers.TEAM, mail.getAllRecipients()[0].toString());
        assertTrue(subject(mail).startsWith("[arbiter] model-service: drift of " + name + " v1 (significant)"), subject(mail));
        assertTrue(GreenMailUtil.getBody(mail).contains("feature `" + shifted + "`"), GreenMailUtil.getBody(mail));
        String posted = AlertReceivers.awaitPost(b -> b.contains("\"key\":\"" + name + " v1\""), 30);
        assertTrue(posted.contains("\"event\":\"drift\""), posted);

        // A refresh empties the reference on every replica; the next predictions form the new one.
        ResetDriftReferenceResponse reset = models.resetDriftReference(
                ResetDriftReferenceRequest.newBuilder().setModelName(name).setVersion(1).build());
        assertEquals(2, reset.getReferenceGeneration());
        ModelDriftStatus refreshed = models.getDriftStatus(request).getModels(0);
        assertEquals("refresh", refreshed.getReferenceReason());
        assertEquals(0, refreshed.getReferenceSampleCount());
        assertFalse(refreshed.getDrifted());

        // Every bad request is refused with its field.
        assertRefused(Status.Code.INVALID_ARGUMENT, "model_name", ResetDriftReferenceRequest.newBuilder().setVersion(1).build());
        assertRefused(Status.Code.INVALID_ARGUMENT, "version", ResetDriftReferenceRequest.newBuilder().setModelName(name).build());
        assertRefused(Status.Code.INVALID_ARGUMENT, "version", ResetDriftReferenceRequest.newBuilder().setModelName(name).setVersion(-3).build());
        assertRefused(Status.Code.NOT_FOUND, "model_name", ResetDriftReferenceRequest.newBuilder().setModelName("no-such-model").setVersion(1).build());
        assertRefused(Status.Code.NOT_FOUND, "version", ResetDriftReferenceRequest.newBuilder().setModelName(name).setVersion(9).build());
        ModelVersion staged = mutiny.uploadModel(Multi.createFrom().iterable(
                        TrainedModels.upload(TrainedModels.metadata(name + "-staged", ModelFormat.MODEL_FORMAT_XGBOOST_JSON, bytes).build(), bytes, 1 << 16)))
                .await().atMost(Duration.ofSeconds(60));
        assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_STAGED, staged.getStatus());
        assertRefused(Status.Code.FAILED_PRECONDITION, "version", ResetDriftReferenceRequest.newBuilder()
                .setModelName(staged.getModelName()).setVersion(staged.getVersion()).build());

        // Listing every monitored version includes this one.
        assertTrue(models.getDriftStatus(GetDriftStatusRequest.getDefaultInstance()).getModelsList().stream()
                .anyMatch(m -> m.getModelName().equals(name)));
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertRefused(Status.Code code, String field, ResetDriftReferenceRequest request) {
        BadInput.refused(code, field, () -> models.resetDriftReference(request));
    }
}
