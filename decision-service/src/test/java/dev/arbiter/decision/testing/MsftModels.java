package dev.arbiter.decision.testing;

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
import io.grpc.Channel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/**
 * A two-member ensemble for model-service, trained here with xgboost4j on the MSFT series' own features (the engine's
 * pipeline, as feature-service computes them) to predict whether the next close is above this one. Trained and
 * predicted on the same year, so it is confident: a smoke test of the decide path, not a model of anything.
 */
public final class MsftModels {

    public static final FeatureSchema SCHEMA = FeatureSchema.of(FeatureConfig.defaults());
    static final List<String> TREND_INPUTS = List.of("vol_10", "vol_20", "roc_10", "efficiency_ratio_14", "drawdown", "vol_cluster_10_50");
    /** The meta model's inputs: the ensemble's probability and agreement (engine MetaGate.INPUTS) and a feature. */
    static final List<String> META_INPUTS = List.of("ensemble_probability", "ensemble_agreement", "vol_20");
    static final List<String> SHAPE_INPUTS = List.of("roc_10", "mom_10", "skew_50", "kurt_50", "atr_14", "efficiency_ratio_14", "dow_sin", "dow_cos");

    private MsftModels() {}

    /** Trains both members, uploads and activates them, and defines them as model-service's default ensemble. */
    public static void deploy(Channel modelService) throws Exception {
        ModelVersion trend = activate(modelService, upload(modelService, "msft-trend", TREND_INPUTS, train(TREND_INPUTS, 3, 30, Map.of())));
        ModelVersion shape = activate(modelService, upload(modelService, "msft-shape", SHAPE_INPUTS, train(SHAPE_INPUTS, 2, 40, Map.of())));
        defineDefault(modelService, "decision-service integration tests", trend, shape);
    }

    /**
     * Two members that answer {@code probability} for every row, whatever the features (XGBoost with a learning rate
     * of 0 keeps its base score), uploaded, activated and defined as model-service's default ensemble: real models
     * whose output a test chooses. Each call uploads new versions.
     */
    public static void deployConstant(Channel modelService, double probability) throws Exception {
        Map<String, Object> constant = Map.of("base_score", probability, "eta", 0.0);
        ModelVersion a = activate(modelService, upload(modelService, "constant-trend", TREND_INPUTS, train(TREND_INPUTS, 1, 1, constant)));
        ModelVersion b = activate(modelService, upload(modelService, "constant-shape", SHAPE_INPUTS, train(SHAPE_INPUTS, 1, 1, constant)));
        defineDefault(modelService, "constant probability " + probability, a, b);
    }

    /**
     * As {@link #deployConstant(Channel, double)}, with a meta model (the learned gate's) that answers
     * {@code metaProbability} for every row; it reads two of the ensemble's outputs and a feature, by name.
     */
    public static void deployConstant(Channel modelService, double probability, double metaProbability) throws Exception {
        Map<String, Object> constant = Map.of("base_score", probability, "eta", 0.0);
        ModelVersion a = activate(modelService, upload(modelService, "constant-trend", TREND_INPUTS, train(TREND_INPUTS, 1, 1, constant)));
        ModelVersion b = activate(modelService, upload(modelService, "constant-shape", SHAPE_INPUTS, train(SHAPE_INPUTS, 1, 1, constant)));
        ModelVersion meta = activate(modelService, upload(modelService, "constant-meta", META_INPUTS, constant(META_INPUTS.size(),
                metaProbability)));
        defineDefault(modelService, "constant probability " + probability + ", meta model " + metaProbability, a, b, meta);
    }

    private static void defineDefault(Channel modelService, String description, ModelVersion a, ModelVersion b) {
        defineDefault(modelService, description, a, b, null);
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

    /** An XGBoost model of {@code inputs} inputs that answers {@code probability} for every row (learning rate 0). */
    static byte[] constant(int inputs, double probability) throws Exception {
        int n = 8;
        float[] x = new float[n * inputs];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i * inputs] = i;
            y[i] = i % 2;
        }
        return fit(x, y, n, inputs, 1, 1, Map.of("base_score", probability, "eta", 0.0));
    }

    static byte[] train(List<String> inputs, int depth, int rounds, Map<String, Object> extra) throws Exception {
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
        return fit(x, y, n, inputs.size(), depth, rounds, extra);
    }

    private static byte[] fit(float[] x, float[] y, int n, int columns, int depth, int rounds, Map<String, Object> extra)
            throws Exception {
        DMatrix matrix = new DMatrix(x, n, columns, Float.NaN);
        matrix.setLabel(y);
        Map<String, Object> params = new HashMap<>();
        params.put("objective", "binary:logistic");
        params.put("tree_method", "hist");
        params.put("max_depth", depth);
        params.put("eta", 0.3);
        params.put("seed", 42);
        params.put("nthread", 1);
        params.put("verbosity", 0);
        params.putAll(extra);
        try {
            Booster booster = XGBoost.train(matrix, params, rounds, new HashMap<>(), null, null);
            try {
                return booster.toByteArray("json");
            } finally {
                booster.dispose();
            }
        } finally {
            matrix.dispose();
        }
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
