package dev.arbiter.model.grpc;

import static dev.arbiter.model.grpc.BadInput.activate;
import static dev.arbiter.model.grpc.BadInput.define;
import static dev.arbiter.model.grpc.BadInput.ensemble;
import static dev.arbiter.model.grpc.BadInput.invalid;
import static dev.arbiter.model.grpc.BadInput.member;
import static dev.arbiter.model.grpc.BadInput.refused;
import static dev.arbiter.model.grpc.BadInput.suffix;
import static dev.arbiter.model.grpc.BadInput.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.arbiter.proto.v1.GetModelRequest;
import dev.arbiter.proto.v1.GetModelVersionRequest;
import dev.arbiter.proto.v1.ListEnsemblesRequest;
import dev.arbiter.proto.v1.ListEnsemblesResponse;
import dev.arbiter.proto.v1.Model;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionStatus;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.proto.v1.RetireModelVersionRequest;
import dev.arbiter.proto.v1.ShadowModelVersionRequest;
import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Bad status changes, ensemble definitions and ensemble reads: each refusal names the field and
 * changes nothing, and a version that fails to load never replaces the one serving.
 */
@QuarkusTest
class EnsembleBadInputTest {

    @GrpcClient("models")
    ModelServiceBlockingStub models;

    @GrpcClient("models")
    MutinyModelServiceStub mutiny;

    @Inject
    AgroalDataSource db;

    ModelVersion xgboost(String model) throws Exception {
        return upload(mutiny, model, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson());
    }

    ModelVersion onnx(String model) {
        return upload(mutiny, model, ModelFormat.MODEL_FORMAT_ONNX, TrainedModels.logisticOnnx());
    }

    ModelVersion version(String model, int version) {
        return models.getModelVersion(GetModelVersionRequest.newBuilder().setModelName(model).setVersion(version).build());
    }

    EnsembleDefinition getEnsemble(String name) {
        return models.getEnsemble(GetEnsembleRequest.newBuilder().setName(name).build());
    }

    StatusRuntimeException defineRefused(Status.Code code, String field, DefineEnsembleRequest request) {
        return refused(code, field, () -> models.defineEnsemble(request));
    }

    StatusRuntimeException defineRefused(Status.Code code, String field, EnsembleDefinition.Builder ensemble) {
        return defineRefused(code, field, DefineEnsembleRequest.newBuilder().setEnsemble(ensemble).build());
    }

    Prediction predict(String ensemble, PredictionInput row) {
        return models.predict(PredictRequest.newBuilder().setTarget(PredictionTarget.newBuilder().setEnsembleName(ensemble)).setInput(row).build());
    }

    void sql(String sql, Object... args) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            assertEquals(1, ps.executeUpdate(), sql);
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    @Test
    void statusChangesNameTheWrongField() throws Exception {
        String model = "bad-status-" + suffix();
        xgboost(model);
        String unknown = "never-uploaded-" + suffix();
        Map<String, BiConsumer<String, Integer>> calls = Map.of(
                "activate", (m, v) -> models.activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(m).setVersion(v).build()),
                "shadow", (m, v) -> models.shadowModelVersion(ShadowModelVersionRequest.newBuilder().setModelName(m).setVersion(v).build()),
                "retire", (m, v) -> models.retireModelVersion(RetireModelVersionRequest.newBuilder().setModelName(m).setVersion(v).build()));
        for (BiConsumer<String, Integer> call : calls.values()) {
            invalid("model_name", () -> call.accept("", 1));
            invalid("model_name", () -> call.accept("Not-Valid", 1));
            invalid("model_name", () -> call.accept("x".repeat(65), 1));
            invalid("version", () -> call.accept(model, 0));
            invalid("version", () -> call.accept(model, -2));
            StatusRuntimeException e = refused(Status.Code.NOT_FOUND, "model_name", () -> call.accept(unknown, 1));
            assertTrue(e.getStatus().getDescription().contains(unknown), e.getStatus().getDescription());
            refused(Status.Code.NOT_FOUND, "version", "version 9", () -> call.accept(model, 9));
        }
        assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_STAGED, version(model, 1).getStatus());
    }

    @Test
    void aRetiredVersionCannotServeAgain() throws Exception {
        String model = "bad-retired-" + suffix();
        xgboost(model);
        models.retireModelVersion(RetireModelVersionRequest.newBuilder().setModelName(model).setVersion(1).setReason("test").build());
        StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION, "version", model + " v1", () -> models.activateModelVersion(
                ActivateModelVersionRequest.newBuilder().setModelName(model).setVersion(1).build()));
        assertTrue(e.getStatus().getDescription().contains("RETIRED"), e.getStatus().getDescription());
        refused(Status.Code.FAILED_PRECONDITION, "version", "RETIRED", () -> models.shadowModelVersion(
                ShadowModelVersionRequest.newBuilder().setModelName(model).setVersion(1).build()));
        assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_RETIRED, version(model, 1).getStatus());
        Model m = models.getModel(GetModelRequest.newBuilder().setModelName(model).build());
        assertEquals(0, m.getActiveVersionsCount());
        assertEquals(0, m.getShadowVersionsCount());
    }

    /** v2's stored artifact breaks after upload: activating it fails, v1 keeps serving the ensemble. */
    @Test
    void aVersionThatFailsToLoadLeavesTheOldOneServing() throws Exception {
        String s = suffix();
        String model = "bad-load-" + s;
        ModelVersion v1 = activate(models, xgboost(model));
        ModelVersion v2 = onnx(model);
        assertEquals(2, v2.getVersion());
        String name = "bad-load-" + s;
        define(models, name, v1);
        PredictionInput row = TrainedModels.row(new Random(4));
        Prediction before = predict(name, row);

        // The bytes no longer match the stored checksum.
        String where = " WHERE version = 2 AND model_id = (SELECT id FROM model.model WHERE name = ?)";
        sql("UPDATE model.model_version SET artifact = decode('00', 'hex')" + where, model);
        StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION, "version", model + " v2", () -> activate(models, v2));
        assertTrue(e.getStatus().getDescription().contains("failed to load"), e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains("keep serving"), e.getStatus().getDescription());
        refused(Status.Code.FAILED_PRECONDITION, "version", "failed to load", () -> models.shadowModelVersion(
                ShadowModelVersionRequest.newBuilder().setModelName(model).setVersion(2).build()));

        // The checksum matches, but the runtime cannot load the bytes.
        sql("UPDATE model.model_version SET artifact = convert_to('not a model', 'UTF8'),"
                + " sha256_hex = encode(sha256(convert_to('not a model', 'UTF8')), 'hex')" + where, model);
        e = refused(Status.Code.FAILED_PRECONDITION, "version", model + " v2", () -> activate(models, v2));
        assertTrue(e.getStatus().getDescription().contains("failed to load"), e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains("keep serving"), e.getStatus().getDescription());

        assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_STAGED, version(model, 2).getStatus());
        assertEquals(List.of(1), models.getModel(GetModelRequest.newBuilder().setModelName(model).build()).getActiveVersionsList());
        defineRefused(Status.Code.FAILED_PRECONDITION, "ensemble.members[0]", ensemble(name, v2));
        Prediction after = predict(name, row);
        assertEquals(1, after.getMembersCount());
        assertEquals(1, after.getMembers(0).getVersion());
        assertEquals(1, after.getEnsembleRevision());
        assertEquals(before.getEnsembleProbability(), after.getEnsembleProbability(), 0.0);
    }

    @Test
    void refusedDefinitionsChangeNothing() throws Exception {
        String s = suffix();
        ModelVersion a = activate(models, xgboost("bad-ens-a-" + s));
        ModelVersion staged = onnx("bad-ens-b-" + s);
        ModelVersion retired = xgboost("bad-ens-c-" + s);
        models.retireModelVersion(RetireModelVersionRequest.newBuilder().setModelName(retired.getModelName()).setVersion(1).build());
        String name = "bad-ens-" + s;
        define(models, name, a);
        EnsembleDefinition original = getEnsemble(name);
        EnsembleWeights weights = models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(name).build());

        defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble", DefineEnsembleRequest.getDefaultInstance());
        for (String bad : List.of("", "Bad-Name", "x".repeat(65), "with space")) {
            defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.name", ensemble(bad, a));
        }
        defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.members", ensemble(name));
        defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.members[0].version", ensemble(name).addMembers(member(a).toBuilder().setVersion(0)));
        defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.members[1].version", ensemble(name, a).addMembers(member(a).toBuilder().setVersion(-1)));
        defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.members[0].model_name", ensemble(name).addMembers(member(a).toBuilder().setModelName("")));
        defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.members[0].model_name", ensemble(name).addMembers(member(a).toBuilder().setModelName("UPPER")));
        StatusRuntimeException e = defineRefused(Status.Code.NOT_FOUND, "ensemble.members[1]",
                ensemble(name, a).addMembers(EnsembleMember.newBuilder().setModelName("never-uploaded-" + s).setVersion(1)));
        assertTrue(e.getStatus().getDescription().contains("never-uploaded-" + s), e.getStatus().getDescription());
        defineRefused(Status.Code.NOT_FOUND, "ensemble.members[1]", ensemble(name, a).addMembers(member(a).toBuilder().setVersion(99)));
        e = defineRefused(Status.Code.FAILED_PRECONDITION, "ensemble.members[1]", ensemble(name, a, staged));
        assertTrue(e.getStatus().getDescription().contains("activate it"), e.getStatus().getDescription());
        e = defineRefused(Status.Code.FAILED_PRECONDITION, "ensemble.members[1]", ensemble(name, a, retired));
        assertTrue(e.getStatus().getDescription().contains("RETIRED"), e.getStatus().getDescription());
        e = defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.members[1]", ensemble(name, a, a));
        assertTrue(e.getStatus().getDescription().contains("repeats"), e.getStatus().getDescription());
        for (double floor : new double[] {1.0, 1.5, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.weight_config.floor",
                    ensemble(name, a).setWeightConfig(EnsembleWeightConfig.newBuilder().setHalfLifeOutcomes(5).setFloor(floor)));
        }
        for (double halfLife : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.weight_config.half_life_outcomes",
                    ensemble(name, a).setWeightConfig(EnsembleWeightConfig.newBuilder().setHalfLifeOutcomes(halfLife)));
        }
        for (double initial : new double[] {-0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.members[0].initial_weight",
                    ensemble(name).addMembers(member(a).toBuilder().setInitialWeight(initial)));
        }
        for (double cap : new double[] {-0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            e = defineRefused(Status.Code.INVALID_ARGUMENT, "ensemble.members[0].max_weight",
                    ensemble(name).addMembers(member(a).toBuilder().setMaxWeight(cap)));
            assertTrue(e.getStatus().getDescription().contains("[0, 1]"), e.getStatus().getDescription());
        }
        e = defineRefused(Status.Code.FAILED_PRECONDITION, "expected_revision",
                DefineEnsembleRequest.newBuilder().setEnsemble(ensemble(name, a)).setExpectedRevision(5).build());
        assertTrue(e.getStatus().getDescription().contains("revision 1"), "says the current revision: " + e.getStatus().getDescription());
        defineRefused(Status.Code.INVALID_ARGUMENT, "expected_revision",
                DefineEnsembleRequest.newBuilder().setEnsemble(ensemble(name, a)).setExpectedRevision(-1).build());

        // Nothing changed: same revision, members, configuration and weights.
        EnsembleDefinition now = getEnsemble(name);
        assertEquals(1, now.getRevision());
        assertEquals(original.getMembersList(), now.getMembersList());
        assertEquals(original.getWeightConfig(), now.getWeightConfig());
        assertEquals(original.getUpdatedTsMicros(), now.getUpdatedTsMicros());
        assertEquals(weights, models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(name).build()));
        // ... so the revision read before all that is still the one to send.
        EnsembleDefinition next = models.defineEnsemble(DefineEnsembleRequest.newBuilder()
                .setEnsemble(ensemble(name, a).setDescription("after the refusals")).setExpectedRevision(1).build());
        assertEquals(2, next.getRevision());
    }

    @Test
    void aRefusedNewEnsembleIsNotCreated() throws Exception {
        String s = suffix();
        ModelVersion a = activate(models, xgboost("bad-new-a-" + s));
        ModelVersion staged = onnx("bad-new-b-" + s);
        String name = "bad-new-" + s;
        defineRefused(Status.Code.FAILED_PRECONDITION, "ensemble.members[0]", ensemble(name, staged));
        defineRefused(Status.Code.FAILED_PRECONDITION, "expected_revision",
                DefineEnsembleRequest.newBuilder().setEnsemble(ensemble(name, a)).setExpectedRevision(3).build());
        defineRefused(Status.Code.NOT_FOUND, "ensemble.members[1]", ensemble(name, a).addMembers(member(a).toBuilder().setVersion(2)));
        refused(Status.Code.NOT_FOUND, "ensemble_name", name, () -> getEnsemble(name));
        refused(Status.Code.NOT_FOUND, "ensemble_name", name, () -> models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(name).build()));
        assertTrue(allEnsembleNames().stream().noneMatch(name::equals), "no ensemble " + name);
        // The name is still free: the first good definition is revision 1.
        assertEquals(1, define(models, name, a).getRevision());
    }

    @Test
    void ensembleReadsRefuseUnknownsAndBadNames() throws Exception {
        String s = suffix();
        ModelVersion a = activate(models, xgboost("bad-get-a-" + s));
        String name = "bad-get-" + s;
        String other = "bad-get-other-" + s;
        define(models, name, a);
        define(models, other, a);
        String unknown = "never-defined-" + s;

        invalid("name", () -> models.getEnsemble(GetEnsembleRequest.getDefaultInstance()));
        invalid("name", () -> models.getEnsemble(GetEnsembleRequest.newBuilder().setName("Bad Name").build()));
        refused(Status.Code.NOT_FOUND, "ensemble_name", unknown, () -> getEnsemble(unknown));

        invalid("ensemble_name", () -> models.getEnsembleWeights(GetEnsembleWeightsRequest.getDefaultInstance()));
        invalid("ensemble_name", () -> models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName("Bad Name").build()));
        refused(Status.Code.NOT_FOUND, "ensemble_name", unknown, () -> models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(unknown).build()));
        String otherSnapshot = models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(other).build()).getWeightsSnapshotId();
        for (String snapshot : List.of("garbage", name + ":999999", name + ":", otherSnapshot)) {
            refused(Status.Code.NOT_FOUND, "weights_snapshot_id", () -> models.getEnsembleWeights(
                    GetEnsembleWeightsRequest.newBuilder().setEnsembleName(name).setWeightsSnapshotId(snapshot).build()));
        }

        invalid("page_size", () -> models.listEnsembles(ListEnsemblesRequest.newBuilder().setPageSize(-1).build()));
        for (String token : UploadBadInputTest.forgedTokens()) {
            invalid("page_token", () -> models.listEnsembles(ListEnsemblesRequest.newBuilder().setPageToken(token).build()));
        }
        ListEnsemblesResponse huge = models.listEnsembles(ListEnsemblesRequest.newBuilder().setPageSize(1_000_000).build());
        assertTrue(huge.getEnsemblesCount() <= ModelGrpcService.MAX_PAGE_SIZE, "page size lowered to " + ModelGrpcService.MAX_PAGE_SIZE);
        if (huge.getEnsemblesCount() < ModelGrpcService.MAX_PAGE_SIZE) {
            assertEquals("", huge.getNextPageToken(), "a short page is the last one");
        }
        if (!huge.getNextPageToken().isEmpty()) {
            assertEquals(ModelGrpcService.MAX_PAGE_SIZE, huge.getEnsemblesCount(), "a page with more after it is a full page");
        }
        ListEnsemblesResponse far = models.listEnsembles(ListEnsemblesRequest.newBuilder()
                .setPageToken(UploadBadInputTest.token("o:" + Integer.MAX_VALUE)).build());
        assertEquals(0, far.getEnsemblesCount());
        assertEquals("", far.getNextPageToken());
    }

    List<String> allEnsembleNames() {
        List<String> names = new ArrayList<>();
        String token = "";
        do {
            ListEnsemblesResponse page = models.listEnsembles(ListEnsemblesRequest.newBuilder().setPageSize(ModelGrpcService.MAX_PAGE_SIZE).setPageToken(token).build());
            page.getEnsemblesList().forEach(e -> names.add(e.getName()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return names;
    }
}
