package dev.arbiter.decision.testing;

import static dev.arbiter.testing.XgboostModels.META_INPUTS;
import static dev.arbiter.testing.XgboostModels.SHAPE_INPUTS;
import static dev.arbiter.testing.XgboostModels.TREND_INPUTS;

import com.google.protobuf.ByteString;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.engine.features.FeatureSchema;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelOutput;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.proto.v1.UploadModelRequest;
import dev.arbiter.testing.ClientStreams;
import dev.arbiter.testing.XgboostModels;
import io.grpc.Channel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A two-member ensemble for model-service, trained here with xgboost4j (test-support's {@link XgboostModels}) on the
 * MSFT series' own features (the engine's pipeline, as feature-service computes them) to predict whether the next close
 * is above this one. Trained and predicted on the same year, so it is confident: a smoke test of the decide path, not
 * a model of anything.
 */
public final class MsftModels {

    public static final FeatureSchema SCHEMA = FeatureSchema.of(FeatureConfig.defaults());

    private MsftModels() {}

    /** Trains both members, uploads and activates them, and defines them as model-service's default ensemble. */
    public static void deploy(Channel modelService) throws Exception {
        ModelVersion trend = activate(modelService, upload(modelService, "msft-trend", TREND_INPUTS, train(TREND_INPUTS, 3, 30)));
        ModelVersion shape = activate(modelService, upload(modelService, "msft-shape", SHAPE_INPUTS, train(SHAPE_INPUTS, 2, 40)));
        defineDefault(modelService, "decision-service integration tests", trend, shape, null);
    }

    /**
     * Two members that answer {@code probability} for every row, whatever the features (XGBoost with a learning rate
     * of 0 keeps its base score), uploaded, activated and defined as model-service's default ensemble: real models
     * whose output a test chooses. Each call uploads new versions.
     */
    public static void deployConstant(Channel modelService, double probability) throws Exception {
        ModelVersion a = activate(modelService, upload(modelService, "constant-trend", TREND_INPUTS,
                XgboostModels.constant(TREND_INPUTS.size(), probability)));
        ModelVersion b = activate(modelService, upload(modelService, "constant-shape", SHAPE_INPUTS,
                XgboostModels.constant(SHAPE_INPUTS.size(), probability)));
        defineDefault(modelService, "constant probability " + probability, a, b, null);
    }

    /**
     * As {@link #deployConstant(Channel, double)}, with a meta model (the learned gate's) that answers
     * {@code metaProbability} for every row; it reads two of the ensemble's outputs and a feature, by name.
     */
    public static void deployConstant(Channel modelService, double probability, double metaProbability) throws Exception {
        ModelVersion a = activate(modelService, upload(modelService, "constant-trend", TREND_INPUTS,
                XgboostModels.constant(TREND_INPUTS.size(), probability)));
        ModelVersion b = activate(modelService, upload(modelService, "constant-shape", SHAPE_INPUTS,
                XgboostModels.constant(SHAPE_INPUTS.size(), probability)));
        ModelVersion meta = activate(modelService, upload(modelService, "constant-meta", META_INPUTS,
                XgboostModels.constant(META_INPUTS.size(), metaProbability)));
        defineDefault(modelService, "constant probability " + probability + ", meta model " + metaProbability, a, b, meta);
    }

    private static void defineDefault(Channel modelService, String description, ModelVersion a, ModelVersion b, ModelVersion meta) {
        EnsembleDefinition.Builder e = EnsembleDefinition.newBuilder().setName("default").setDescription(description)
                .addMembers(EnsembleMember.newBuilder().setModelName(a.getModelName()).setVersion(a.getVersion()))
                .addMembers(EnsembleMember.newBuilder().setModelName(b.getModelName()).setVersion(b.getVersion()));
        if (meta != null) {
            e.setMetaModel(ModelVersionRef.newBuilder().setModelName(meta.getModelName()).setVersion(meta.getVersion()));
        }
        ModelServiceGrpc.newBlockingStub(modelService).defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(e).build());
    }

    static byte[] train(List<String> inputs, int depth, int rounds) throws Exception {
        List<Msft.Row> rows = Msft.rows();
        FeaturePipeline pipeline = new FeaturePipeline(FeatureConfig.defaults());
        double[] all = new double[pipeline.size()];
        int n = rows.size() - 1;
        float[] x = new float[n * inputs.size()];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            Msft.Row r = rows.get(i);
            pipeline.update(r.tsMicros(), r.open(), r.high(), r.low(), r.close(), r.volume(), all, 0);
            for (int j = 0; j < inputs.size(); j++) {
                x[i * inputs.size() + j] = (float) all[SCHEMA.indexOf(inputs.get(j))];
            }
            y[i] = rows.get(i + 1).close() > r.close() ? 1 : 0;
        }
        return XgboostModels.fit(x, y, n, inputs.size(), depth, rounds, Map.of());
    }

    private static ModelVersion upload(Channel channel, String name, List<String> inputs, byte[] bytes) throws Exception {
        UploadModelMetadata metadata = UploadModelMetadata.newBuilder()
                .setModelName(name)
                .setFormat(ModelFormat.MODEL_FORMAT_XGBOOST_JSON)
                .addAllInputFeatureNames(inputs)
                .setOutput(ModelOutput.MODEL_OUTPUT_POSITIVE_CLASS_PROBABILITY)
                .putTrainingMetadata("data", "msft_ohlcv_daily.csv, label next close > close")
                .setSizeBytes(bytes.length)
                .setSha256Hex(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                .build();
        List<UploadModelRequest> parts = new ArrayList<>();
        parts.add(UploadModelRequest.newBuilder().setMetadata(metadata).build());
        for (int i = 0; i < bytes.length; i += 256 * 1024) {
            parts.add(UploadModelRequest.newBuilder().setChunk(ByteString.copyFrom(bytes, i, Math.min(256 * 1024, bytes.length - i))).build());
        }
        return ClientStreams.call(ModelServiceGrpc.newStub(channel)::uploadModel, parts, 60);
    }

    private static ModelVersion activate(Channel channel, ModelVersion v) {
        return ModelServiceGrpc.newBlockingStub(channel).activateModelVersion(ActivateModelVersionRequest.newBuilder()
                .setModelName(v.getModelName()).setVersion(v.getVersion()).setReason("integration test").build());
    }
}
