package dev.arbiter.rules.testing;

import com.google.protobuf.ByteString;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelOutput;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.proto.v1.UploadModelRequest;
import dev.arbiter.testing.ClientStreams;
import dev.arbiter.testing.XgboostModels;
import io.grpc.Channel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * model-service's default ensemble as two real XGBoost models that answer one probability for every row
 * (test-support's {@link XgboostModels#constant}), so the decisions a test makes act predictably.
 */
public final class ConstantEnsemble {

    private ConstantEnsemble() {}

    public static void deploy(Channel modelService, double probability) throws Exception {
        ModelServiceGrpc.ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(modelService);
        EnsembleDefinition.Builder e = EnsembleDefinition.newBuilder().setName("default")
                .setDescription("rule-service tests: constant probability " + probability);
        for (List<String> inputs : List.of(XgboostModels.TREND_INPUTS, XgboostModels.SHAPE_INPUTS)) {
            String name = inputs == XgboostModels.TREND_INPUTS ? "constant-trend" : "constant-shape";
            byte[] bytes = XgboostModels.constant(inputs.size(), probability);
            UploadModelMetadata metadata = UploadModelMetadata.newBuilder().setModelName(name)
                    .setFormat(ModelFormat.MODEL_FORMAT_XGBOOST_JSON).addAllInputFeatureNames(inputs)
                    .setOutput(ModelOutput.MODEL_OUTPUT_POSITIVE_CLASS_PROBABILITY).setSizeBytes(bytes.length)
                    .setSha256Hex(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).build();
            ModelVersion v = ClientStreams.call(ModelServiceGrpc.newStub(modelService)::uploadModel, List.of(
                    UploadModelRequest.newBuilder().setMetadata(metadata).build(),
                    UploadModelRequest.newBuilder().setChunk(ByteString.copyFrom(bytes)).build()), 60);
            models.activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(v.getModelName())
                    .setVersion(v.getVersion()).setReason("rule-service tests").build());
            e.addMembers(EnsembleMember.newBuilder().setModelName(v.getModelName()).setVersion(v.getVersion()));
        }
        models.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(e).build());
    }
}
