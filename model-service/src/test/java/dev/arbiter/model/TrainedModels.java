package dev.arbiter.model;

import com.google.protobuf.ByteString;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.model.runtime.SyntheticData;
import dev.arbiter.model.runtime.TribuoTraining;
import dev.arbiter.model.runtime.XGBoostTraining;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelOutput;
import dev.arbiter.proto.v1.NamedFeatures;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.proto.v1.UploadModelRequest;
import dev.arbiter.testing.ClientStreams;
import io.grpc.Channel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.java.Booster;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Real artifacts for service tests, trained here: an XGBoost model by xgboost4j and a logistic
 * regression exported to ONNX by Tribuo, both on 20 inputs named after the served feature schema.
 */
public final class TrainedModels {

    /** Twenty schema names in sorted order: Tribuo numbers features by sorted name, so the ONNX input order is this order. */
    public static final List<String> INPUTS = new FeaturePipeline(FeatureConfig.defaults()).schema().names().stream()
            .sorted()
            .limit(20)
            .toList();

    private static final SyntheticData DATA = SyntheticData.generate(11, 3000, 0.0);
    private static byte[] xgboost;
    private static byte[] logistic;
    private static int logisticPositive;

    private TrainedModels() {}

    public static synchronized byte[] xgboostJson() throws Exception {
        if (xgboost == null) {
            Map<String, Object> params = XGBoostTraining.base("binary:logistic");
            params.put("max_depth", 4);
            Booster booster = XGBoostTraining.train(DATA, params, 40);
            xgboost = booster.toByteArray("json");
            booster.dispose();
        }
        return xgboost;
    }

    /** The benchmark's gradient-boosted model: 200 trees of depth 6. */
    public static byte[] gbtree200() throws Exception {
        Booster booster = XGBoostTraining.train(DATA, XGBoostTraining.gbtree(), 200);
        try {
            return booster.toByteArray("json");
        } finally {
            booster.dispose();
        }
    }

    /** xgboost4j's random-forest mode: 100 parallel trees in one round. */
    public static byte[] randomForest() throws Exception {
        Booster booster = XGBoostTraining.train(DATA, XGBoostTraining.randomForest(), 1);
        try {
            return booster.toByteArray("json");
        } finally {
            booster.dispose();
        }
    }

    /** LibLinear's linear SVM exported to ONNX (its output is a decision value, not yet calibrated). */
    public static byte[] linearSvmOnnx() {
        return TribuoTraining.onnx(TribuoTraining.libLinearSvm(DATA));
    }

    public static synchronized byte[] logisticOnnx() {
        if (logistic == null) {
            Model<Label> model = TribuoTraining.logisticRegression(DATA);
            logistic = TribuoTraining.onnx(model);
            logisticPositive = model.getOutputIDInfo().getID(TribuoTraining.UP);
        }
        return logistic;
    }

    public static int logisticPositiveClass() {
        logisticOnnx();
        return logisticPositive;
    }

    public static UploadModelMetadata.Builder metadata(String name, ModelFormat format, byte[] bytes) {
        UploadModelMetadata.Builder b = UploadModelMetadata.newBuilder()
                .setModelName(name)
                .setFormat(format)
                .addAllInputFeatureNames(INPUTS)
                .setOutput(ModelOutput.MODEL_OUTPUT_POSITIVE_CLASS_PROBABILITY)
                .putTrainingMetadata("data", "synthetic seed 11")
                .putMetrics("brier_score", 0.2)
                .setSizeBytes(bytes.length)
                .setSha256Hex(sha256(bytes));
        if (format == ModelFormat.MODEL_FORMAT_ONNX) {
            b.setOnnxPositiveClassIndex(logisticPositiveClass());
        }
        return b;
    }

    /** The metadata, then the artifact in chunks of {@code chunk} bytes. */
    public static List<UploadModelRequest> upload(UploadModelMetadata metadata, byte[] bytes, int chunk) {
        List<UploadModelRequest> parts = new ArrayList<>();
        parts.add(UploadModelRequest.newBuilder().setMetadata(metadata).build());
        for (int i = 0; i < bytes.length; i += chunk) {
            parts.add(UploadModelRequest.newBuilder().setChunk(ByteString.copyFrom(bytes, i, Math.min(chunk, bytes.length - i))).build());
        }
        return parts;
    }

    /** Uploads through a plain grpc-java async stub (no Quarkus), as a process-level test or benchmark client does. */
    public static ModelVersion upload(Channel channel, UploadModelMetadata metadata, byte[] bytes) throws Exception {
        return ClientStreams.call(ModelServiceGrpc.newStub(channel)::uploadModel, upload(metadata, bytes, 256 * 1024), 60);
    }

    /**
     * Configuration for a packaged model-service started by an integration test or benchmark: the test
     * database, emptied at start when {@code clean} (only the first process of a test may do that).
     */
    public static Map<String, String> processConfig(boolean clean) {
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "quarkus.flyway.clean-disabled", "false",
                "quarkus.flyway.clean-at-start", Boolean.toString(clean),
                "arbiter.models.redis-prefix", "arbiter-it:models:",
                "arbiter.models.drift.evaluation-interval", "0",
                // no feature-service here: the configured (default) windows' schema stands in
                "quarkus.grpc.clients.features.port", "1");
    }

    /** A seeded row of named inputs. */
    public static PredictionInput row(Random random) {
        Map<String, Double> values = new TreeMap<>();
        for (String name : INPUTS) {
            values.put(name, random.nextGaussian());
        }
        return PredictionInput.newBuilder().setNamedFeatures(NamedFeatures.newBuilder().setSeriesId("test").putAllValues(values)).build();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
