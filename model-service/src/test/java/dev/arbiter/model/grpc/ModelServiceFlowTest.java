package dev.arbiter.model.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.model.TrainedModels;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.EnsembleWeightConfig;
import dev.arbiter.proto.v1.EnsembleWeights;
import dev.arbiter.proto.v1.GetEnsembleRequest;
import dev.arbiter.proto.v1.GetEnsembleWeightsRequest;
import dev.arbiter.proto.v1.MemberPrediction;
import dev.arbiter.proto.v1.MemberWeight;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.ModelVersionStatus;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import dev.arbiter.proto.v1.PredictBatchRequest;
import dev.arbiter.proto.v1.PredictBatchResponse;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionOutcomeStatus;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.proto.v1.ReportPredictionOutcomeRequest;
import dev.arbiter.proto.v1.ReportPredictionOutcomeResponse;
import dev.arbiter.proto.v1.RetireModelVersionRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The whole model-service flow over real gRPC, PostgreSQL and Redis: upload an ONNX and an XGBoost
 * model, activate them, define an ensemble, predict, report outcomes, and watch the weights move.
 */
@QuarkusTest
class ModelServiceFlowTest {

    @GrpcClient("models")
    ModelServiceBlockingStub models;

    @GrpcClient("models")
    MutinyModelServiceStub mutiny;

    @Inject
    MeterRegistry registry;

    double predictions(String path) {
        return registry.counter("arbiter.model.predict.path", "path", path).count();
    }

    ModelVersion upload(String name, ModelFormat format, byte[] bytes) {
        return mutiny.uploadModel(Multi.createFrom().iterable(TrainedModels.upload(TrainedModels.metadata(name, format, bytes).build(), bytes, 64 * 1024)))
                .await().atMost(Duration.ofSeconds(60));
    }

    ModelVersion activate(ModelVersion v) {
        return models.activateModelVersion(ActivateModelVersionRequest.newBuilder()
                .setModelName(v.getModelName()).setVersion(v.getVersion()).setReason("test").build());
    }

    EnsembleDefinition define(String name, ModelVersion... members) {
        EnsembleDefinition.Builder d = EnsembleDefinition.newBuilder()
                .setName(name)
                .setWeightConfig(EnsembleWeightConfig.newBuilder().setHalfLifeOutcomes(5).setFloor(0.05));
        for (ModelVersion m : members) {
            d.addMembers(EnsembleMember.newBuilder().setModelName(m.getModelName()).setVersion(m.getVersion()));
        }
        return models.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(d).build());
    }

    static PredictionTarget ensemble(String name) {
        return PredictionTarget.newBuilder().setEnsembleName(name).build();
    }

    static MemberWeight weightOf(EnsembleWeights w, ModelVersion v) {
        return w.getMembersList().stream()
                .filter(m -> m.getModelName().equals(v.getModelName()) && m.getVersion() == v.getVersion())
                .findFirst().orElseThrow();
    }

    @jakarta.inject.Inject
    io.quarkus.redis.datasource.RedisDataSource redis;

    @jakarta.inject.Inject
    dev.arbiter.model.service.WeightStore weightStore;

    /**
     * Weight snapshots are bounded: the test profile keeps the latest 40 per ensemble (arbiter.models.weight-snapshots),
     * so after 55 outcomes the first 15 snapshots are gone (NOT_FOUND, naming the field) and the 40 after them replay,
     * all in one Redis hash of 40 fields.
     */
    @Test
    void weightSnapshotsAreKeptForTheLatestOutcomesOnly() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        ModelVersion gbt = activate(upload("gbt-" + suffix, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson()));
        ModelVersion lr = activate(upload("lr-" + suffix, ModelFormat.MODEL_FORMAT_ONNX, TrainedModels.logisticOnnx()));
        String name = "bounded-" + suffix;
        define(name, gbt, lr);
        Random random = new Random(21);
        List<String> snapshots = new ArrayList<>();
        List<Double> gbtWeights = new ArrayList<>();
        for (int i = 0; i < 55; i++) {
            Prediction p = models.predict(PredictRequest.newBuilder().setTarget(ensemble(name)).setInput(TrainedModels.row(random)).build());
            models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder().setPredictionId(p.getPredictionId())
                    .setRealisedPositive(random.nextBoolean()).build());
            EnsembleWeights w = models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(name).build());
            snapshots.add(w.getWeightsSnapshotId());
            gbtWeights.add(weightOf(w, gbt).getWeight());
        }
        assertEquals(name + ":55", snapshots.get(54));
        assertEquals(40L, redis.hash(String.class).hlen(weightStore.snapshotsKey(name)), "one hash of the latest 40");
        for (int i = 0; i < 55; i++) {
            PredictRequest replay = PredictRequest.newBuilder().setTarget(ensemble(name)).setInput(TrainedModels.row(new Random(3)))
                    .setWeightsSnapshotId(snapshots.get(i)).build();
            if (i < 15) {
                StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> models.predict(replay));
                assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
                assertTrue(gone.getStatus().getDescription().contains("weights_snapshot_id"), gone.getStatus().getDescription());
            } else {
                assertEquals(gbtWeights.get(i), member(models.predict(replay), gbt).getWeight(), 1e-12, "snapshot " + snapshots.get(i));
            }
        }
    }

    @Test
    void uploadActivateDefinePredictReportAndTheWeightsMove() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        ModelVersion gbt = upload("gbt-" + suffix, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson());
        ModelVersion lr = upload("lr-" + suffix, ModelFormat.MODEL_FORMAT_ONNX, TrainedModels.logisticOnnx());
        assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_STAGED, gbt.getStatus());
        assertEquals(1, gbt.getVersion());
        assertEquals(TrainedModels.sha256(TrainedModels.logisticOnnx()), lr.getSha256Hex());

        // The same artifact again is the same version: an upload can be retried safely.
        assertEquals(1, upload("gbt-" + suffix, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson()).getVersion());

        assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_ACTIVE, activate(gbt).getStatus());
        activate(lr);
        String name = "flow-" + suffix;
        EnsembleDefinition def = define(name, gbt, lr);
        assertEquals(1, def.getRevision());

        Random random = new Random(5);
        Prediction first = models.predict(PredictRequest.newBuilder().setTarget(ensemble(name)).setInput(TrainedModels.row(random)).build());
        assertEquals(2, first.getMembersCount());
        double expected = 0;
        for (MemberPrediction m : first.getMembersList()) {
            assertTrue(m.getProbability() >= 0 && m.getProbability() <= 1, "a probability: " + m);
            assertEquals(0.5, m.getWeight(), 1e-12, "equal weights before any outcome");
            expected += m.getWeight() * m.getProbability();
        }
        assertEquals(expected, first.getEnsembleProbability(), 1e-12);
        assertTrue(first.getAgreement() == 0.5 || first.getAgreement() == 1.0, "two equal members agree fully or half");

        // Outcomes: the label is always what the XGBoost member said, so it gains weight over the other
        // member wherever they disagree.
        EnsembleWeights before = models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(name).build());
        int disagreements = 0;
        for (int i = 0; i < 200 && disagreements < 10; i++) {
            Prediction p = models.predict(PredictRequest.newBuilder().setTarget(ensemble(name)).setInput(TrainedModels.row(random)).build());
            boolean gbtSaysUp = member(p, gbt).getProbability() >= 0.5;
            if (gbtSaysUp != (member(p, lr).getProbability() >= 0.5)) {
                disagreements++;
            }
            ReportPredictionOutcomeResponse r = models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder()
                    .setPredictionId(p.getPredictionId()).setRealisedPositive(gbtSaysUp).build());
            assertEquals(PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED, r.getStatus());
        }
        assertTrue(disagreements >= 3, "the two models disagree now and then on random rows");
        EnsembleWeights after = models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(name).build());
        assertTrue(weightOf(after, gbt).getWeight() > weightOf(after, lr).getWeight(), after.toString());
        assertEquals(1.0, weightOf(after, gbt).getWeight() + weightOf(after, lr).getWeight(), 1e-9);
        // Always right: from 0.5 (an equal share) the score closes half its gap to 1 every 5 outcomes.
        long n = weightOf(after, gbt).getOutcomeCount();
        assertEquals(1 - 0.5 * Math.pow(2, -n / 5.0), weightOf(after, gbt).getScore(), 1e-9);
        assertNotEquals(before.getWeightsSnapshotId(), after.getWeightsSnapshotId());

        // Predictions now lean on the better member, and the old weights can still be replayed.
        Prediction now = models.predict(PredictRequest.newBuilder().setTarget(ensemble(name)).setInput(TrainedModels.row(new Random(9))).build());
        assertEquals(weightOf(after, gbt).getWeight(), member(now, gbt).getWeight(), 1e-12);
        Prediction replay = models.predict(PredictRequest.newBuilder()
                .setTarget(ensemble(name)).setInput(TrainedModels.row(new Random(9))).setWeightsSnapshotId(before.getWeightsSnapshotId()).build());
        assertEquals(0.5, member(replay, gbt).getWeight(), 1e-12);
        assertEquals(member(now, gbt).getProbability(), member(replay, gbt).getProbability(), 0.0);

        // A second outcome for the same prediction changes nothing.
        ReportPredictionOutcomeResponse again = models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder()
                .setPredictionId(now.getPredictionId()).setRealisedPositive(true).build());
        assertEquals(PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED, again.getStatus());
        ReportPredictionOutcomeResponse duplicate = models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder()
                .setPredictionId(now.getPredictionId()).setRealisedPositive(true).build());
        assertEquals(PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_DUPLICATE, duplicate.getStatus());
        assertEquals(again.getWeights().getOutcomeCount(), duplicate.getWeights().getOutcomeCount());

        // A cap (what a retraining's ramp sets on its challenger): the leading member is held at 0.3, the rest goes to
        // the other; the scores are untouched, and predictions use the capped weights.
        EnsembleWeights uncapped = duplicate.getWeights();
        assertTrue(weightOf(uncapped, gbt).getWeight() > 0.3, uncapped.toString());
        EnsembleDefinition capped = models.defineEnsemble(DefineEnsembleRequest.newBuilder().setExpectedRevision(1)
                .setEnsemble(models.getEnsemble(GetEnsembleRequest.newBuilder().setName(name).build()).toBuilder()
                        .setMembers(0, EnsembleMember.newBuilder().setModelName(gbt.getModelName()).setVersion(1)
                                .setMaxWeight(0.3))).build());
        assertEquals(0.3, capped.getMembers(0).getMaxWeight(), 0.0);
        EnsembleWeights held = models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(name).build());
        assertEquals(0.3, weightOf(held, gbt).getWeight(), 1e-12);
        assertEquals(0.3, weightOf(held, gbt).getMaxWeight(), 0.0);
        assertEquals(0.7, weightOf(held, lr).getWeight(), 1e-12);
        assertEquals(weightOf(uncapped, gbt).getScore(), weightOf(held, gbt).getScore(), 0.0);
        Prediction underCap = models.predict(PredictRequest.newBuilder().setTarget(ensemble(name))
                .setInput(TrainedModels.row(new Random(9))).build());
        assertEquals(0.3, member(underCap, gbt).getWeight(), 1e-12);
        assertEquals(0.3 * member(underCap, gbt).getProbability() + 0.7 * member(underCap, lr).getProbability(),
                underCap.getEnsembleProbability(), 1e-9);
    }

    @Test
    void outcomesByDecisionIdAndUnknownOnes() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        ModelVersion gbt = activate(upload("gbt-d-" + suffix, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson()));
        String name = "decisions-" + suffix;
        define(name, gbt);
        String decision = "decision-" + suffix;
        models.predict(PredictRequest.newBuilder().setTarget(ensemble(name)).setInput(TrainedModels.row(new Random(1))).setDecisionId(decision).build());
        assertEquals(
                PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED,
                models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder().setDecisionId(decision).setRealisedPositive(true).build()).getStatus());
        assertEquals(
                PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_DUPLICATE,
                models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder().setDecisionId(decision).setRealisedPositive(true).build()).getStatus());
        // the ensemble, its weights and its model are in memory now: the next prediction is answered on the event loop,
        // its journal written asynchronously before the answer, so its outcome is reportable by decision id at once
        double onEventLoop = predictions("event-loop");
        String second = "decision-2-" + suffix;
        models.predict(PredictRequest.newBuilder().setTarget(ensemble(name)).setInput(TrainedModels.row(new Random(2))).setDecisionId(second).build());
        assertEquals(onEventLoop + 1, predictions("event-loop"), "answered without a worker");
        assertEquals(
                PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED,
                models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder().setDecisionId(second).setRealisedPositive(false).build()).getStatus());
        assertEquals(
                PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_UNKNOWN_PREDICTION,
                models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder().setDecisionId("never-" + suffix).build()).getStatus());
        assertEquals(
                PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_UNKNOWN_PREDICTION,
                models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder().setPredictionId(UUID.randomUUID().toString()).build()).getStatus());
    }

    @Test
    void hotSwapToANewVersionThenRetireTheOld() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String model = "swap-" + suffix;
        ModelVersion v1 = activate(upload(model, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson()));
        String name = "swap-" + suffix;
        define(name, v1);
        StatusRuntimeException inUse = assertThrows(StatusRuntimeException.class, () -> models.retireModelVersion(
                RetireModelVersionRequest.newBuilder().setModelName(model).setVersion(1).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, inUse.getStatus().getCode());
        assertTrue(inUse.getStatus().getDescription().contains(name), inUse.getStatus().getDescription());

        // Version 2 is the ONNX model under the same name: loaded and warmed up on activation, then swapped in.
        ModelVersion v2 = activate(upload(model, ModelFormat.MODEL_FORMAT_ONNX, TrainedModels.logisticOnnx()));
        assertEquals(2, v2.getVersion());
        assertEquals(2, define(name, v2).getRevision());
        models.retireModelVersion(RetireModelVersionRequest.newBuilder().setModelName(model).setVersion(1).setReason("replaced by v2").build());

        Prediction p = models.predict(PredictRequest.newBuilder().setTarget(ensemble(name)).setInput(TrainedModels.row(new Random(3))).build());
        assertEquals(2, p.getEnsembleRevision());
        assertEquals(2, p.getMembers(0).getVersion());
        // A retired version can still be asked directly, for replay.
        Prediction retired = models.predict(PredictRequest.newBuilder()
                .setTarget(PredictionTarget.newBuilder().setModel(ModelVersionRef.newBuilder().setModelName(model).setVersion(1)))
                .setInput(TrainedModels.row(new Random(3)))
                .build());
        assertTrue(retired.getEnsembleProbability() >= 0 && retired.getEnsembleProbability() <= 1);
    }

    @Test
    void batchPredictionAnswersEveryRowAndTheCacheAnswersRepeats() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        ModelVersion lr = activate(upload("lr-b-" + suffix, ModelFormat.MODEL_FORMAT_ONNX, TrainedModels.logisticOnnx()));
        String name = "batch-" + suffix;
        define(name, lr);
        Random random = new Random(8);
        PredictBatchRequest.Builder batch = PredictBatchRequest.newBuilder().setTarget(ensemble(name));
        for (int i = 0; i < 50; i++) {
            batch.addInputs(TrainedModels.row(random));
        }
        batch.addInputs(TrainedModels.row(random).toBuilder().clearInput()); // a row without input
        PredictBatchResponse answer = models.predictBatch(batch.build());
        assertEquals(51, answer.getResultsCount());
        for (int i = 0; i < 50; i++) {
            assertTrue(answer.getResults(i).hasPrediction(), "row " + i);
        }
        assertEquals("inputs[50]", answer.getResults(50).getProblem().getField());

        Prediction single = models.predict(PredictRequest.newBuilder().setTarget(ensemble(name)).setInput(batch.getInputs(0)).build());
        assertFalse(single.getCached(), "there is no prediction cache");
        assertEquals(answer.getResults(0).getPrediction().getEnsembleProbability(), single.getEnsembleProbability(), 0.0);
    }

    static MemberPrediction member(Prediction p, ModelVersion v) {
        return p.getMembersList().stream()
                .filter(m -> m.getModelName().equals(v.getModelName()) && m.getVersion() == v.getVersion())
                .findFirst().orElseThrow();
    }
}
