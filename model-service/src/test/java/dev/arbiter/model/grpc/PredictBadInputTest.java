package dev.arbiter.model.grpc;

import static dev.arbiter.model.grpc.BadInput.activate;
import static dev.arbiter.model.grpc.BadInput.define;
import static dev.arbiter.model.grpc.BadInput.invalid;
import static dev.arbiter.model.grpc.BadInput.refused;
import static dev.arbiter.model.grpc.BadInput.suffix;
import static dev.arbiter.model.grpc.BadInput.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.engine.features.FeatureSchema;
import dev.arbiter.model.TrainedModels;
import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.proto.v1.EnsembleWeights;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.GetEnsembleWeightsRequest;
import dev.arbiter.proto.v1.MemberOutcome;
import dev.arbiter.proto.v1.MemberOutcomes;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import dev.arbiter.proto.v1.NamedFeatures;
import dev.arbiter.proto.v1.PredictBatchRequest;
import dev.arbiter.proto.v1.PredictBatchResponse;
import dev.arbiter.proto.v1.PredictBatchResult;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionOutcomeStatus;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.proto.v1.ReportPredictionOutcomeRequest;
import dev.arbiter.testing.RawRequests;
import dev.arbiter.testing.RefusalAssertions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bad prediction requests and bad outcome reports: a wrong request names its field, a bad batch
 * row gets its own Problem, and a refused outcome moves no weight.
 */
@QuarkusTest
class PredictBadInputTest {

    static final FeatureSchema SCHEMA = new FeaturePipeline(FeatureConfig.defaults()).schema();

    /** Two ACTIVE versions and three ensembles over them, made once per run with fresh names. */
    record Fixture(ModelVersion xgboost, ModelVersion onnx, String xgboostOnly, String onnxOnly, String both) {}

    private static Fixture fixture;

    @GrpcClient("models")
    ModelServiceBlockingStub models;

    @GrpcClient("models")
    MutinyModelServiceStub mutiny;

    @Inject
    ModelServiceConfig config;

    synchronized Fixture fixture() throws Exception {
        if (fixture == null) {
            String s = suffix();
            ModelVersion x = activate(models, upload(mutiny, "bad-pred-x-" + s, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson()));
            ModelVersion o = activate(models, upload(mutiny, "bad-pred-o-" + s, ModelFormat.MODEL_FORMAT_ONNX, TrainedModels.logisticOnnx()));
            fixture = new Fixture(x, o, "bad-pred-x-" + s, "bad-pred-o-" + s, "bad-pred-xo-" + s);
            define(models, fixture.xgboostOnly(), x);
            define(models, fixture.onnxOnly(), o);
            define(models, fixture.both(), x, o);
        }
        return fixture;
    }

    static PredictionTarget ensemble(String name) {
        return PredictionTarget.newBuilder().setEnsembleName(name).build();
    }

    static PredictionTarget version(String model, int version) {
        return PredictionTarget.newBuilder().setModel(ModelVersionRef.newBuilder().setModelName(model).setVersion(version)).build();
    }

    static PredictionTarget version(ModelVersion v) {
        return version(v.getModelName(), v.getVersion());
    }

    static PredictionInput row(long seed) {
        return TrainedModels.row(new Random(seed));
    }

    /** A row with one input set to {@code value}. */
    static PredictionInput rowWith(long seed, String feature, double value) {
        PredictionInput r = row(seed);
        return r.toBuilder().setNamedFeatures(r.getNamedFeatures().toBuilder().putValues(feature, value)).build();
    }

    static PredictionInput rowWithout(long seed, String feature) {
        PredictionInput r = row(seed);
        return r.toBuilder().setNamedFeatures(r.getNamedFeatures().toBuilder().removeValues(feature)).build();
    }

    static PredictionInput vector(String schemaId, int size) {
        FeatureVector.Builder v = FeatureVector.newBuilder().setSeriesId("test").setTsMicros(1).setSchemaId(schemaId).setWarm(true);
        Random random = new Random(size);
        for (int i = 0; i < size; i++) {
            v.addValues(random.nextGaussian());
        }
        return PredictionInput.newBuilder().setFeatures(v).build();
    }

    Prediction predict(PredictionTarget target, PredictionInput input) {
        return models.predict(PredictRequest.newBuilder().setTarget(target).setInput(input).build());
    }

    StatusRuntimeException predictRefused(Status.Code code, String field, PredictionTarget target, PredictionInput input) {
        return refused(code, field, () -> predict(target, input));
    }

    StatusRuntimeException predictRefused(Status.Code code, String field, String value, PredictionTarget target, PredictionInput input) {
        return refused(code, field, value, () -> predict(target, input));
    }

    @Test
    void predictRefusesBadTargetsAndInputs() throws Exception {
        Fixture f = fixture();
        String unknown = "never-defined-" + suffix();

        predictRefused(Status.Code.INVALID_ARGUMENT, "input", ensemble(f.both()), PredictionInput.getDefaultInstance());
        refused(Status.Code.INVALID_ARGUMENT, "input", () -> models.predict(PredictRequest.newBuilder().setTarget(ensemble(f.both())).build()));
        predictRefused(Status.Code.NOT_FOUND, "ensemble_name", unknown, ensemble(unknown), row(1));
        predictRefused(Status.Code.INVALID_ARGUMENT, "target.ensemble_name", ensemble("Not A Name"), row(1));
        StatusRuntimeException e = predictRefused(Status.Code.NOT_FOUND, "model_name", version(unknown, 1), row(1));
        assertTrue(e.getStatus().getDescription().contains(unknown), e.getStatus().getDescription());
        predictRefused(Status.Code.NOT_FOUND, "version", "version 99", version(f.xgboost().getModelName(), 99), row(1));
        predictRefused(Status.Code.INVALID_ARGUMENT, "target.model.version", version(f.xgboost().getModelName(), 0), row(1));
        predictRefused(Status.Code.INVALID_ARGUMENT, "target.model.version", version(f.xgboost().getModelName(), -1), row(1));
        predictRefused(Status.Code.INVALID_ARGUMENT, "target.model.model_name", version("", 1), row(1));

        // A FeatureVector must be of the served schema and complete.
        predictRefused(Status.Code.INVALID_ARGUMENT, "input.features.schema_id", ensemble(f.both()), vector("some-other-schema", SCHEMA.size()));
        predictRefused(Status.Code.INVALID_ARGUMENT, "input.features.schema_id", ensemble(f.both()), vector("", SCHEMA.size()));
        // a NUL (PostgreSQL refuses it in text: it was UNKNOWN, found by the gRPC fuzzer), a control character, too long
        predictRefused(Status.Code.INVALID_ARGUMENT, "input.features.schema_id", ensemble(f.both()), vector("\0", SCHEMA.size()));
        predictRefused(Status.Code.INVALID_ARGUMENT, "input.features.schema_id", ensemble(f.both()), vector("features\n", SCHEMA.size()));
        predictRefused(Status.Code.INVALID_ARGUMENT, "input.features.schema_id", ensemble(f.both()), vector("f".repeat(70_000), SCHEMA.size()));
        e = predictRefused(Status.Code.INVALID_ARGUMENT, "input.features.values", ensemble(f.both()), vector(SCHEMA.id(), SCHEMA.size() - 1));
        assertTrue(e.getStatus().getDescription().contains(String.valueOf(SCHEMA.size())), e.getStatus().getDescription());
        predictRefused(Status.Code.INVALID_ARGUMENT, "input.features.values", ensemble(f.both()), vector(SCHEMA.id(), SCHEMA.size() + 1));
        predictRefused(Status.Code.INVALID_ARGUMENT, "input.features.values", version(f.xgboost()), vector(SCHEMA.id(), 0));
        Prediction ok = predict(ensemble(f.both()), vector(SCHEMA.id(), SCHEMA.size()));
        assertEquals(SCHEMA.id(), ok.getFeatureSchemaId());

        // Named features must hold every input of every member.
        String missing = TrainedModels.INPUTS.get(5);
        e = predictRefused(Status.Code.INVALID_ARGUMENT, "input.named_features.values", ensemble(f.both()), rowWithout(2, missing));
        assertTrue(e.getStatus().getDescription().contains("\"" + missing + "\""), "names the missing input: " + e.getStatus().getDescription());
        predictRefused(Status.Code.INVALID_ARGUMENT, "input.named_features.values", missing, version(f.onnx()), rowWithout(2, missing));
        predictRefused(Status.Code.INVALID_ARGUMENT, "input.named_features.values", ensemble(f.both()),
                PredictionInput.newBuilder().setNamedFeatures(NamedFeatures.getDefaultInstance()).build());

        // Past weights that never existed.
        for (String snapshot : java.util.List.of("garbage", f.both() + ":987654", f.xgboostOnly() + ":0")) {
            refused(Status.Code.NOT_FOUND, "weights_snapshot_id", () -> models.predict(PredictRequest.newBuilder()
                    .setTarget(ensemble(f.both())).setInput(row(3)).setWeightsSnapshotId(snapshot).build()));
        }
    }

    @Test
    void missingValuesAreForXGBoostOnlyAndInfinitiesForNobody() throws Exception {
        Fixture f = fixture();
        String feature = TrainedModels.INPUTS.get(3);
        PredictionInput nan = rowWith(4, feature, Double.NaN);

        StatusRuntimeException e = predictRefused(Status.Code.INVALID_ARGUMENT, "input", ensemble(f.onnxOnly()), nan);
        assertTrue(e.getStatus().getDescription().contains("\"" + feature + "\""), e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains("ONNX"), e.getStatus().getDescription());
        predictRefused(Status.Code.INVALID_ARGUMENT, "input", feature, ensemble(f.both()), nan);
        predictRefused(Status.Code.INVALID_ARGUMENT, "input", feature, version(f.onnx()), nan);

        Prediction xgb = predict(ensemble(f.xgboostOnly()), nan);
        assertTrue(xgb.getEnsembleProbability() >= 0 && xgb.getEnsembleProbability() <= 1, xgb.toString());
        Prediction direct = predict(version(f.xgboost()), nan);
        assertEquals(xgb.getEnsembleProbability(), direct.getEnsembleProbability(), 1e-12);

        for (double infinite : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            PredictionInput row = rowWith(5, feature, infinite);
            e = predictRefused(Status.Code.INVALID_ARGUMENT, "input", ensemble(f.xgboostOnly()), row);
            assertTrue(e.getStatus().getDescription().contains("\"" + feature + "\""), e.getStatus().getDescription());
            predictRefused(Status.Code.INVALID_ARGUMENT, "input", feature, ensemble(f.onnxOnly()), row);
            predictRefused(Status.Code.INVALID_ARGUMENT, "input", feature, version(f.xgboost()), row);
        }
        PredictionInput vectorInf = vector(SCHEMA.id(), SCHEMA.size());
        vectorInf = vectorInf.toBuilder().setFeatures(vectorInf.getFeatures().toBuilder().setValues(SCHEMA.indexOf(feature), Double.POSITIVE_INFINITY)).build();
        predictRefused(Status.Code.INVALID_ARGUMENT, "input", feature, ensemble(f.xgboostOnly()), vectorInf);
    }

    @Test
    void batchesOverTheLimitAreRefusedAndBadRowsGetTheirOwnProblem() throws Exception {
        Fixture f = fixture();

        // Over arbiter.models.max-batch-rows: tiny rows, refused before any is looked at.
        PredictBatchRequest.Builder tooMany = PredictBatchRequest.newBuilder().setTarget(ensemble(f.both()));
        PredictionInput tiny = PredictionInput.newBuilder().setNamedFeatures(NamedFeatures.getDefaultInstance()).build();
        for (int i = 0; i <= config.maxBatchRows(); i++) {
            tooMany.addInputs(tiny);
        }
        StatusRuntimeException e = invalid("inputs", () -> models.predictBatch(tooMany.build()));
        assertTrue(e.getStatus().getDescription().contains("arbiter.models.max-batch-rows"), e.getStatus().getDescription());

        // One bad row of each kind among good ones.
        String feature = TrainedModels.INPUTS.get(2);
        PredictBatchRequest batch = PredictBatchRequest.newBuilder()
                .setTarget(ensemble(f.both()))
                .addInputs(row(10))
                .addInputs(rowWithout(11, feature))
                .addInputs(row(12))
                .addInputs(rowWith(13, feature, Double.NaN))
                .addInputs(PredictionInput.getDefaultInstance())
                .addInputs(vector("some-other-schema", SCHEMA.size()))
                .addInputs(rowWith(14, feature, Double.NEGATIVE_INFINITY))
                .addInputs(row(15))
                .build();
        PredictBatchResponse answer = models.predictBatch(batch);
        assertEquals(batch.getInputsCount(), answer.getResultsCount());
        for (int i : new int[] {0, 2, 7}) {
            assertTrue(answer.getResults(i).hasPrediction(), "row " + i + ": " + answer.getResults(i));
            assertEquals(2, answer.getResults(i).getPrediction().getMembersCount());
        }
        assertProblem(answer.getResults(1), "inputs[1].named_features.values", feature);
        assertProblem(answer.getResults(3), "inputs[3]", feature);
        assertProblem(answer.getResults(4), "inputs[4]", "missing");
        assertProblem(answer.getResults(5), "inputs[5].features.schema_id", "some-other-schema");
        assertProblem(answer.getResults(6), "inputs[6]", feature);
        // The good rows got the answers they get alone.
        assertEquals(predict(ensemble(f.both()), row(12)).getEnsembleProbability(), answer.getResults(2).getPrediction().getEnsembleProbability(), 1e-12);

        // A wrong target refuses the whole batch.
        String unknown = "never-defined-" + suffix();
        refused(Status.Code.NOT_FOUND, "ensemble_name", unknown, () -> models.predictBatch(batch.toBuilder().setTarget(ensemble(unknown)).build()));
        refused(Status.Code.NOT_FOUND, "model_name", unknown, () -> models.predictBatch(batch.toBuilder().setTarget(version(unknown, 1)).build()));
        refused(Status.Code.NOT_FOUND, "version", "version 42", () -> models.predictBatch(batch.toBuilder().setTarget(version(f.onnx().getModelName(), 42)).build()));
        invalid("target.model.model_name", () -> models.predictBatch(batch.toBuilder().setTarget(version("", 1)).build()));
        invalid("target.model.version", () -> models.predictBatch(batch.toBuilder().setTarget(version(f.onnx().getModelName(), 0)).build()));
        invalid("target.ensemble_name", () -> models.predictBatch(batch.toBuilder().setTarget(ensemble("Bad Name")).build()));
        refused(Status.Code.NOT_FOUND, "weights_snapshot_id", () -> models.predictBatch(batch.toBuilder().setWeightsSnapshotId("garbage").build()));
    }

    static void assertProblem(PredictBatchResult result, String field, String inMessage) {
        assertTrue(result.hasProblem(), result.toString());
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), result.getProblem().getCode(), result.toString());
        assertEquals(field, result.getProblem().getField(), result.toString());
        assertTrue(result.getProblem().getMessage().contains(inMessage), result.toString());
    }

    EnsembleWeights weights(String ensemble) {
        return models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(ensemble).build());
    }

    static MemberOutcome outcome(String model, int version, boolean correct) {
        return MemberOutcome.newBuilder().setModelName(model).setVersion(version).setCorrect(correct).build();
    }

    static MemberOutcome outcome(ModelVersion v, boolean correct) {
        return outcome(v.getModelName(), v.getVersion(), correct);
    }

    @Test
    void refusedOutcomesMoveNoWeight() throws Exception {
        Fixture f = fixture();
        // An ensemble of its own, so no other test's outcomes move its weights.
        String name = "bad-outcome-" + suffix();
        define(models, name, f.xgboost(), f.onnx());
        String unknown = "never-defined-" + suffix();
        EnsembleWeights before = weights(name);

        ReportPredictionOutcomeRequest base = ReportPredictionOutcomeRequest.newBuilder().setEnsembleName(name).setRealisedPositive(true).build();
        invalid("reference", () -> models.reportPredictionOutcome(base));
        invalid("reference", () -> models.reportPredictionOutcome(ReportPredictionOutcomeRequest.getDefaultInstance()));
        invalid("prediction_id", () -> models.reportPredictionOutcome(base.toBuilder().setPredictionId("").build()));
        invalid("decision_id", () -> models.reportPredictionOutcome(base.toBuilder().setDecisionId("").build()));
        invalid("ensemble_name", () -> models.reportPredictionOutcome(base.toBuilder().setEnsembleName("Bad Name").setPredictionId("p").build()));

        MemberOutcomes good = MemberOutcomes.newBuilder().addMembers(outcome(f.xgboost(), true)).addMembers(outcome(f.onnx(), false)).build();
        invalid("ensemble_name", () -> models.reportPredictionOutcome(base.toBuilder().clearEnsembleName().setMemberOutcomes(good).build()));
        refused(Status.Code.NOT_FOUND, "ensemble_name", unknown, () -> models.reportPredictionOutcome(base.toBuilder().setEnsembleName(unknown).setMemberOutcomes(good).build()));
        invalid("member_outcomes.members", () -> models.reportPredictionOutcome(base.toBuilder().setMemberOutcomes(MemberOutcomes.getDefaultInstance()).build()));
        StatusRuntimeException e = invalid("member_outcomes.members", () -> models.reportPredictionOutcome(base.toBuilder()
                .setMemberOutcomes(good.toBuilder().addMembers(outcome(f.xgboost().getModelName(), 2, true))).build()));
        assertTrue(e.getStatus().getDescription().contains(f.xgboost().getModelName() + " v2"), e.getStatus().getDescription());
        invalid("member_outcomes.members", () -> models.reportPredictionOutcome(base.toBuilder()
                .setMemberOutcomes(MemberOutcomes.newBuilder().addMembers(outcome("not-a-member-" + suffix(), 1, true))).build()));
        invalid("member_outcomes.members[1].version", () -> models.reportPredictionOutcome(base.toBuilder()
                .setMemberOutcomes(good.toBuilder().setMembers(1, outcome(f.onnx().getModelName(), 0, true))).build()));
        invalid("member_outcomes.members[0].model_name", () -> models.reportPredictionOutcome(base.toBuilder()
                .setMemberOutcomes(good.toBuilder().setMembers(0, outcome("", 1, true))).build()));
        invalid("member_outcomes.members[2]", () -> models.reportPredictionOutcome(base.toBuilder()
                .setMemberOutcomes(good.toBuilder().addMembers(outcome(f.xgboost(), false))).build()));

        EnsembleWeights after = weights(name);
        assertEquals(before.getOutcomeCount(), after.getOutcomeCount());
        assertEquals(before, after);

        // The same outcome, well formed, is applied once.
        assertEquals(PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED,
                models.reportPredictionOutcome(base.toBuilder().setMemberOutcomes(good).build()).getStatus());
        assertEquals(before.getOutcomeCount() + 1, weights(name).getOutcomeCount());
    }

    @Test
    void invalidUtf8InATargetNameIsInvalidArgumentNotUnknown() {
        PredictRequest request = PredictRequest.newBuilder().setTarget(PredictionTarget.newBuilder().setEnsembleName("ens~Q~"))
                .setInput(TrainedModels.row(new Random(1))).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> RawRequests.unary(models.getChannel(), ModelServiceGrpc.getPredictMethod(), RawRequests.withLoneSurrogate(request, "~Q~")));
        RefusalAssertions.assertRefused(Status.Code.INVALID_ARGUMENT, "target.ensemble_name", e);
    }
}
