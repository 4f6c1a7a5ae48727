package dev.arbiter.model.grpc;

import static dev.arbiter.model.grpc.BadInput.invalid;
import static dev.arbiter.model.grpc.BadInput.refused;
import static dev.arbiter.model.grpc.BadInput.suffix;
import static dev.arbiter.model.grpc.BadInput.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.arbiter.model.TrainedModels;
import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.proto.v1.GetDriftStatusRequest;
import dev.arbiter.proto.v1.GetModelRequest;
import dev.arbiter.proto.v1.GetModelVersionRequest;
import dev.arbiter.proto.v1.ListModelVersionsRequest;
import dev.arbiter.proto.v1.ListModelVersionsResponse;
import dev.arbiter.proto.v1.ListModelsRequest;
import dev.arbiter.proto.v1.ListModelsResponse;
import dev.arbiter.proto.v1.Model;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelOutput;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.proto.v1.UploadModelRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bad uploads and bad reads of the registry: every refusal has the right status, names the field
 * and how to fix it, and registers nothing (no model, no version, no version number used up).
 */
@QuarkusTest
class UploadBadInputTest {

    @GrpcClient("models")
    ModelServiceBlockingStub models;

    @GrpcClient("models")
    MutinyModelServiceStub mutiny;

    @Inject
    ModelServiceConfig config;

    void refusedUpload(Status.Code code, String field, List<UploadModelRequest> parts) {
        refused(code, field, () -> upload(mutiny, parts));
    }

    void invalidUpload(String field, UploadModelMetadata metadata, byte[] bytes) {
        refusedUpload(Status.Code.INVALID_ARGUMENT, field, TrainedModels.upload(metadata, bytes, 64 * 1024));
    }

    static UploadModelRequest metadataPart(UploadModelMetadata m) {
        return UploadModelRequest.newBuilder().setMetadata(m).build();
    }

    static UploadModelRequest chunkPart(byte[] bytes) {
        return UploadModelRequest.newBuilder().setChunk(ByteString.copyFrom(bytes)).build();
    }

    static byte[] garbage(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Refusals of every kind for a name that does not exist yet; afterwards it still does not exist. */
    @Test
    void refusedUploadsOfANewModelCreateNothing() throws Exception {
        String name = "bad-up-" + suffix();
        byte[] bytes = TrainedModels.xgboostJson();
        UploadModelMetadata good = TrainedModels.metadata(name, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, bytes).build();
        List<UploadModelRequest> goodParts = TrainedModels.upload(good, bytes, 64 * 1024);

        // The stream's shape.
        refusedUpload(Status.Code.INVALID_ARGUMENT, "metadata", List.of());
        List<UploadModelRequest> chunkFirst = new ArrayList<>(goodParts.subList(1, goodParts.size()));
        chunkFirst.add(metadataPart(good));
        var e = refused(Status.Code.INVALID_ARGUMENT, "metadata", () -> upload(mutiny, chunkFirst));
        assertTrue(e.getStatus().getDescription().contains("before the metadata"), e.getStatus().getDescription());
        List<UploadModelRequest> twice = new ArrayList<>(goodParts);
        twice.add(1, metadataPart(good));
        e = refused(Status.Code.INVALID_ARGUMENT, "metadata", () -> upload(mutiny, twice));
        assertTrue(e.getStatus().getDescription().contains("twice"), e.getStatus().getDescription());
        List<UploadModelRequest> emptyPart = new ArrayList<>(goodParts);
        emptyPart.add(1, UploadModelRequest.getDefaultInstance());
        refusedUpload(Status.Code.INVALID_ARGUMENT, "part", emptyPart);

        // The metadata.
        invalidUpload("metadata.format", good.toBuilder().setFormat(ModelFormat.MODEL_FORMAT_UNSPECIFIED).build(), bytes);
        invalidUpload("metadata.format", good.toBuilder().setFormatValue(42).build(), bytes);
        invalidUpload("metadata.output", good.toBuilder().setOutput(ModelOutput.MODEL_OUTPUT_UNSPECIFIED).build(), bytes);
        invalidUpload("metadata.input_feature_names", good.toBuilder().clearInputFeatureNames().build(), bytes);
        List<String> duplicate = new ArrayList<>(TrainedModels.INPUTS);
        duplicate.set(duplicate.size() - 1, duplicate.get(0));
        e = refused(Status.Code.INVALID_ARGUMENT, "metadata.input_feature_names",
                () -> upload(mutiny, good.toBuilder().clearInputFeatureNames().addAllInputFeatureNames(duplicate).build(), bytes));
        assertTrue(e.getStatus().getDescription().contains("\"" + duplicate.get(0) + "\" twice"), e.getStatus().getDescription());
        List<String> unknown = new ArrayList<>(TrainedModels.INPUTS);
        unknown.set(3, "no_such_feature_a");
        unknown.set(7, "no_such_feature_b");
        e = refused(Status.Code.INVALID_ARGUMENT, "metadata.input_feature_names",
                () -> upload(mutiny, good.toBuilder().clearInputFeatureNames().addAllInputFeatureNames(unknown).build(), bytes));
        assertTrue(e.getStatus().getDescription().contains("[no_such_feature_a, no_such_feature_b]"), "lists the unknown names: " + e.getStatus().getDescription());
        invalidUpload("metadata.feature_schema_id", good.toBuilder().setFeatureSchemaId("not-the-served-schema").build(), bytes);
        invalidUpload("metadata.size_bytes", good.toBuilder().setSizeBytes(0).build(), bytes);
        invalidUpload("metadata.size_bytes", good.toBuilder().setSizeBytes(-1).build(), bytes);
        e = refused(Status.Code.RESOURCE_EXHAUSTED, "metadata.size_bytes",
                () -> upload(mutiny, List.of(metadataPart(good.toBuilder().setSizeBytes(config.maxArtifactBytes() + 1).build()))));
        assertTrue(e.getStatus().getDescription().contains("arbiter.models.max-artifact-bytes"), e.getStatus().getDescription());
        invalidUpload("metadata.sha256_hex", good.toBuilder().setSha256Hex("").build(), bytes);
        invalidUpload("metadata.sha256_hex", good.toBuilder().setSha256Hex("not-hex").build(), bytes);
        invalidUpload("metadata.sha256_hex", good.toBuilder().setSha256Hex(good.getSha256Hex().toUpperCase()).build(), bytes);
        invalidUpload("metadata.sha256_hex", good.toBuilder().setSha256Hex(good.getSha256Hex().substring(1)).build(), bytes);
        for (String bad : List.of("", "Upper-" + suffix(), "x".repeat(65), "has space", "-leading-dash", "dots.are.out")) {
            invalidUpload("metadata.model_name", good.toBuilder().setModelName(bad).build(), bytes);
        }

        // The bytes.
        byte[] corrupted = bytes.clone();
        corrupted[corrupted.length / 2] ^= 0x20;
        e = refused(Status.Code.INVALID_ARGUMENT, "metadata.sha256_hex", () -> upload(mutiny, good, corrupted));
        assertTrue(e.getStatus().getDescription().contains(TrainedModels.sha256(corrupted)), "says what arrived: " + e.getStatus().getDescription());
        refused(Status.Code.INVALID_ARGUMENT, "chunk", "metadata.size_bytes", () -> upload(mutiny, good, Arrays.copyOf(bytes, bytes.length - 10)));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 10);
        e = refused(Status.Code.INVALID_ARGUMENT, "chunk", "metadata.size_bytes", () -> upload(mutiny, good, longer));
        assertTrue(e.getStatus().getDescription().contains("more bytes"), e.getStatus().getDescription());
        // One chunk over the 1 MiB limit (the server takes messages of up to 2 MiB, so it does arrive).
        byte[] big = garbage(config.maxChunkBytes() + 1, 1);
        UploadModelMetadata bigMeta = good.toBuilder().setSizeBytes(big.length).setSha256Hex(TrainedModels.sha256(big)).build();
        e = refused(Status.Code.INVALID_ARGUMENT, "chunk", () -> upload(mutiny, List.of(metadataPart(bigMeta), chunkPart(big))));
        assertTrue(e.getStatus().getDescription().contains("over the limit of " + config.maxChunkBytes()), e.getStatus().getDescription());
        // Right size and checksum, but not a model of the announced format.
        for (ModelFormat format : List.of(ModelFormat.MODEL_FORMAT_XGBOOST_JSON, ModelFormat.MODEL_FORMAT_XGBOOST_UBJ, ModelFormat.MODEL_FORMAT_ONNX)) {
            byte[] junk = garbage(5000, format.getNumber());
            UploadModelMetadata junkMeta = TrainedModels.metadata(name, format, junk).build();
            e = refused(Status.Code.INVALID_ARGUMENT, "chunk", () -> upload(mutiny, junkMeta, junk));
            assertTrue(e.getStatus().getDescription().contains("does not load"), e.getStatus().getDescription());
        }
        // A real model whose metadata lists one input fewer than it reads.
        UploadModelMetadata nineteen = good.toBuilder().clearInputFeatureNames().addAllInputFeatureNames(TrainedModels.INPUTS.subList(0, 19)).build();
        e = refused(Status.Code.INVALID_ARGUMENT, "chunk", "metadata.input_feature_names", () -> upload(mutiny, nineteen, bytes));
        assertTrue(e.getStatus().getDescription().contains("does not load"), e.getStatus().getDescription());
        // The wrong format for real bytes: an ONNX model announced as XGBoost.
        byte[] onnx = TrainedModels.logisticOnnx();
        UploadModelMetadata misnamed = TrainedModels.metadata(name, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, onnx).build();
        refused(Status.Code.INVALID_ARGUMENT, "chunk", () -> upload(mutiny, misnamed, onnx));
        // A real ONNX model, with metadata naming an output it does not have, or a class column it does not have.
        UploadModelMetadata onnxMeta = TrainedModels.metadata(name, ModelFormat.MODEL_FORMAT_ONNX, onnx).build();
        e = refused(Status.Code.INVALID_ARGUMENT, "metadata.onnx_output_name",
                () -> upload(mutiny, onnxMeta.toBuilder().setOnnxOutputName("no_such_output").build(), onnx));
        assertTrue(e.getStatus().getDescription().contains("has no such output; its outputs are ["), e.getStatus().getDescription());
        refused(Status.Code.INVALID_ARGUMENT, "metadata.onnx_positive_class_index",
                () -> upload(mutiny, onnxMeta.toBuilder().setOnnxPositiveClassIndex(2).build(), onnx));

        // Nothing was registered under that name.
        refused(Status.Code.NOT_FOUND, "model_name", name, () -> models.getModel(GetModelRequest.newBuilder().setModelName(name).build()));
        refused(Status.Code.NOT_FOUND, "model_name", name, () -> models.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(name).build()));
        refused(Status.Code.NOT_FOUND, "model_name", name, () -> models.getModelVersion(GetModelVersionRequest.newBuilder().setModelName(name).build()));
        assertFalse(allModelNames().contains(name), "no model " + name);
    }

    /** Refused uploads to an existing model add no version and use up no version number. */
    @Test
    void refusedUploadsLeaveAnExistingModelAsItWas() throws Exception {
        String name = "bad-up-existing-" + suffix();
        byte[] bytes = TrainedModels.xgboostJson();
        assertEquals(1, upload(mutiny, name, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, bytes).getVersion());
        ModelVersion v1 = models.getModelVersion(GetModelVersionRequest.newBuilder().setModelName(name).setVersion(1).build());

        byte[] onnx = TrainedModels.logisticOnnx();
        UploadModelMetadata onnxMeta = TrainedModels.metadata(name, ModelFormat.MODEL_FORMAT_ONNX, onnx).build();
        byte[] corrupted = onnx.clone();
        corrupted[100] ^= 0x01;
        refused(Status.Code.INVALID_ARGUMENT, "metadata.sha256_hex", () -> upload(mutiny, onnxMeta, corrupted));
        refused(Status.Code.INVALID_ARGUMENT, "chunk", "metadata.size_bytes", () -> upload(mutiny, onnxMeta, Arrays.copyOf(onnx, onnx.length / 2)));
        invalidUpload("metadata.format", onnxMeta.toBuilder().clearFormat().build(), onnx);
        invalidUpload("metadata.input_feature_names", onnxMeta.toBuilder().addInputFeatureNames("not_a_feature").build(), onnx);
        byte[] junk = garbage(4096, 7);
        refused(Status.Code.INVALID_ARGUMENT, "chunk",
                () -> upload(mutiny, TrainedModels.metadata(name, ModelFormat.MODEL_FORMAT_ONNX, junk).build(), junk));

        ListModelVersionsResponse versions = models.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(name).build());
        assertEquals(List.of(v1), versions.getVersionsList());
        Model model = models.getModel(GetModelRequest.newBuilder().setModelName(name).build());
        assertEquals(1, model.getVersionCount());
        assertEquals(1, model.getLatestVersion());

        // The next good upload is version 2: refusals used no number up.
        assertEquals(2, upload(mutiny, onnxMeta, onnx).getVersion());
    }

    @Test
    void readsOfTheRegistryRefuseBadNamesAndPaging() throws Exception {
        String name = "bad-read-" + suffix();
        upload(mutiny, name, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson());
        String unknown = "never-uploaded-" + suffix();

        // ListModels
        invalid("page_size", () -> models.listModels(ListModelsRequest.newBuilder().setPageSize(-1).build()));
        for (String token : forgedTokens()) {
            invalid("page_token", () -> models.listModels(ListModelsRequest.newBuilder().setPageToken(token).build()));
        }
        ListModelsResponse far = models.listModels(ListModelsRequest.newBuilder().setPageToken(token("o:" + Integer.MAX_VALUE)).build());
        assertEquals(0, far.getModelsCount(), "an offset past the end is an empty last page");
        assertEquals("", far.getNextPageToken());
        ListModelsResponse huge = models.listModels(ListModelsRequest.newBuilder().setPageSize(1_000_000).build());
        assertTrue(huge.getModelsCount() <= ModelGrpcService.MAX_PAGE_SIZE, "page size lowered to " + ModelGrpcService.MAX_PAGE_SIZE);
        if (huge.getModelsCount() < ModelGrpcService.MAX_PAGE_SIZE) {
            assertEquals("", huge.getNextPageToken(), "a short page is the last one");
        }
        if (!huge.getNextPageToken().isEmpty()) {
            assertEquals(ModelGrpcService.MAX_PAGE_SIZE, huge.getModelsCount(), "a page with more after it is a full page");
        }

        // GetModel
        invalid("model_name", () -> models.getModel(GetModelRequest.getDefaultInstance()));
        invalid("model_name", () -> models.getModel(GetModelRequest.newBuilder().setModelName("Not Valid").build()));
        refused(Status.Code.NOT_FOUND, "model_name", unknown, () -> models.getModel(GetModelRequest.newBuilder().setModelName(unknown).build()));

        // ListModelVersions
        invalid("model_name", () -> models.listModelVersions(ListModelVersionsRequest.getDefaultInstance()));
        invalid("model_name", () -> models.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName("UPPER").build()));
        refused(Status.Code.NOT_FOUND, "model_name", unknown, () -> models.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(unknown).build()));
        invalid("page_size", () -> models.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(name).setPageSize(-3).build()));
        for (String token : forgedTokens()) {
            invalid("page_token", () -> models.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(name).setPageToken(token).build()));
        }
        invalid("status", () -> models.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(name).setStatusValue(99).build()));
        ListModelVersionsResponse all = models.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(name).setPageSize(100_000).build());
        assertEquals(1, all.getVersionsCount());
        assertEquals("", all.getNextPageToken());

        // GetModelVersion
        invalid("version", () -> models.getModelVersion(GetModelVersionRequest.newBuilder().setModelName(name).setVersion(-1).build()));
        invalid("model_name", () -> models.getModelVersion(GetModelVersionRequest.newBuilder().setVersion(1).build()));
        refused(Status.Code.NOT_FOUND, "version", "version 7", () -> models.getModelVersion(GetModelVersionRequest.newBuilder().setModelName(name).setVersion(7).build()));
        refused(Status.Code.NOT_FOUND, "model_name", () -> models.getModelVersion(GetModelVersionRequest.newBuilder().setModelName(unknown).setVersion(1).build()));
    }

    @Test
    void driftStatusRefusesUnknownModelsAndBadVersions() throws Exception {
        String name = "bad-drift-" + suffix();
        upload(mutiny, name, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson());
        String unknown = "never-uploaded-" + suffix();

        refused(Status.Code.NOT_FOUND, "model_name", unknown, () -> models.getDriftStatus(GetDriftStatusRequest.newBuilder().setModelName(unknown).build()));
        refused(Status.Code.NOT_FOUND, "model_name", unknown, () -> models.getDriftStatus(GetDriftStatusRequest.newBuilder().setModelName(unknown).setVersion(1).build()));
        refused(Status.Code.NOT_FOUND, "version", "version 9", () -> models.getDriftStatus(GetDriftStatusRequest.newBuilder().setModelName(name).setVersion(9).build()));
        invalid("version", () -> models.getDriftStatus(GetDriftStatusRequest.newBuilder().setVersion(-1).build()));
        invalid("version", () -> models.getDriftStatus(GetDriftStatusRequest.newBuilder().setModelName(name).setVersion(-1).build()));
        invalid("model_name", () -> models.getDriftStatus(GetDriftStatusRequest.newBuilder().setVersion(2).build()));
        invalid("model_name", () -> models.getDriftStatus(GetDriftStatusRequest.newBuilder().setModelName("Not Valid").build()));
        // The staged model is known: no error, and no drift entry since it serves nowhere.
        assertEquals(0, models.getDriftStatus(GetDriftStatusRequest.newBuilder().setModelName(name).build()).getModelsCount());
    }

    static String token(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** Page tokens this service never issued. */
    static List<String> forgedTokens() {
        return List.of("not a token!", "bm9wZQ", token("o:-5"), token("o:abc"), token("x:10"), token("o:"));
    }

    List<String> allModelNames() {
        List<String> names = new ArrayList<>();
        String token = "";
        do {
            ListModelsResponse page = models.listModels(ListModelsRequest.newBuilder().setPageSize(ModelGrpcService.MAX_PAGE_SIZE).setPageToken(token).build());
            page.getModelsList().forEach(m -> names.add(m.getName()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return names;
    }
}
