package dev.arbiter.model.bench;

import dev.arbiter.model.TrainedModels;
import dev.arbiter.model.runtime.ArtifactFormat;
import dev.arbiter.model.runtime.ModelArtifact;
import dev.arbiter.model.runtime.ModelRuntime;
import dev.arbiter.model.runtime.ModelRuntimes;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.testing.ServiceProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToDoubleFunction;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The predict benchmark, in one run: single-row predict in-process per model kind and for a
 * four-member ensemble, the same over gRPC on loopback against the packaged service, and a Redis
 * round trip as the floor of any Redis-backed prediction cache. Not a test: run it with
 * {@code mvn -B -pl model-service -am verify -Pbench} and read target/predict-bench.txt.
 */
class PredictLatencyBench {

    static final int WARMUP = 20_000;
    static final int MEASURED = 50_000;
    static final int RPC_WARMUP = 3_000;
    static final int RPC_MEASURED = 10_000;

    @Test
    void measure() throws Exception {
        StringBuilder report = new StringBuilder();
        Random random = new Random(1);
        double[][] rows = new double[1024][TrainedModels.INPUTS.size()];
        for (double[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextGaussian();
            }
        }
        byte[] gbt = TrainedModels.gbtree200();
        byte[] rf = TrainedModels.randomForest();
        byte[] lr = TrainedModels.logisticOnnx();
        byte[] svm = TrainedModels.linearSvmOnnx();
        List<String> names = TrainedModels.INPUTS;
        ModelRuntime gbtRt = ModelRuntimes.load(new ModelArtifact(ArtifactFormat.XGBOOST_JSON, gbt, names, "", 1));
        ModelRuntime rfRt = ModelRuntimes.load(new ModelArtifact(ArtifactFormat.XGBOOST_JSON, rf, names, "", 1));
        ModelRuntime lrRt = ModelRuntimes.load(new ModelArtifact(ArtifactFormat.ONNX, lr, names, "", TrainedModels.logisticPositiveClass()));
        ModelRuntime svmRt = ModelRuntimes.load(new ModelArtifact(ArtifactFormat.ONNX, svm, names, "", 1));
        Booster booster = XGBoost.loadModel(gbt);

        report.append(String.format("%-44s %10s %10s %10s%n", "single-row predict", "p50 µs", "p99 µs", "mean µs"));
        Histogram xgb4j = time(i -> {
            try {
                float[] f = new float[names.size()];
                double[] r = rows[i & 1023];
                for (int j = 0; j < f.length; j++) {
                    f[j] = (float) r[j];
                }
                DMatrix m = new DMatrix(f, 1, f.length, Float.NaN);
                double p = booster.predict(m)[0][0];
                m.dispose();
                return p;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, WARMUP / 10, MEASURED / 10);
        line(report, "in-process xgboost4j predict (baseline)", xgb4j);
        Histogram flat = time(i -> gbtRt.predict(rows[i & 1023]), WARMUP, MEASURED);
        line(report, "in-process XGBoost 200x6, flat evaluator", flat);
        line(report, "in-process random forest 100 trees, flat", time(i -> rfRt.predict(rows[i & 1023]), WARMUP, MEASURED));
        line(report, "in-process logistic regression, ONNX", time(i -> lrRt.predict(rows[i & 1023]), WARMUP, MEASURED));
        line(report, "in-process linear SVM, ONNX", time(i -> svmRt.predict(rows[i & 1023]), WARMUP, MEASURED));
        Histogram ensemble = time(i -> {
            double[] r = rows[i & 1023];
            return 0.25 * (gbtRt.predict(r) + rfRt.predict(r) + lrRt.predict(r) + svmRt.predict(r));
        }, WARMUP, MEASURED);
        line(report, "in-process four-member ensemble", ensemble);

        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> config = new java.util.HashMap<>(TrainedModels.processConfig(true));
        try (ServiceProcess service = ServiceProcess.start("model-service.runner", "predict-bench", config)) {
            ModelServiceBlockingStub stub = ModelServiceGrpc.newBlockingStub(service.channel);
            List<ModelVersion> members = new ArrayList<>();
            members.add(register(service, stub, "bench-gbt-" + suffix, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, gbt));
            members.add(register(service, stub, "bench-rf-" + suffix, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, rf));
            members.add(register(service, stub, "bench-lr-" + suffix, ModelFormat.MODEL_FORMAT_ONNX, lr));
            members.add(register(service, stub, "bench-svm-" + suffix, ModelFormat.MODEL_FORMAT_ONNX, svm));
            EnsembleDefinition.Builder d = EnsembleDefinition.newBuilder().setName("bench-" + suffix);
            members.forEach(m -> d.addMembers(EnsembleMember.newBuilder().setModelName(m.getModelName()).setVersion(m.getVersion())));
            stub.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(d).build());

            List<PredictionInput> inputs = new ArrayList<>();
            Random r2 = new Random(1);
            for (int i = 0; i < 1024; i++) {
                inputs.add(TrainedModels.row(r2));
            }
            PredictionTarget single = PredictionTarget.newBuilder()
                    .setModel(ModelVersionRef.newBuilder().setModelName(members.get(0).getModelName()).setVersion(1)).build();
            PredictionTarget four = PredictionTarget.newBuilder().setEnsembleName("bench-" + suffix).build();
            Histogram rpcSingle = time(i -> stub.predict(PredictRequest.newBuilder().setTarget(single).setInput(inputs.get(i & 1023)).build())
                    .getEnsembleProbability(), RPC_WARMUP, RPC_MEASURED);
            line(report, "Predict RPC, XGBoost 200x6 (one version)", rpcSingle);
            Histogram rpcFour = time(i -> stub.predict(PredictRequest.newBuilder().setTarget(four).setInput(inputs.get(i & 1023)).build())
                    .getEnsembleProbability(), RPC_WARMUP, RPC_MEASURED);
            line(report, "Predict RPC, four-member ensemble", rpcFour);

            try (Socket redis = new Socket("127.0.0.1", 6379)) {
                Histogram get = time(i -> redisGet(redis, "arbiter:bench:cached"), RPC_WARMUP, RPC_MEASURED);
                line(report, "Redis GET round trip (any Redis cache's floor)", get);
                report.append(String.format("%nratios of p50: flat evaluator vs xgboost4j %.1fx faster; RPC vs in-process, one XGBoost %.0fx,"
                                + " four-member ensemble %.0fx; Redis GET vs in-process ensemble %.1fx%n",
                        p50(xgb4j) / p50(flat), p50(rpcSingle) / p50(flat), p50(rpcFour) / p50(ensemble), p50(get) / p50(ensemble)));
            }
        }
        booster.dispose();
        System.out.println(report);
        java.nio.file.Files.writeString(java.nio.file.Path.of("target/predict-bench.txt"), report.toString());
    }

    private static ModelVersion register(ServiceProcess service, ModelServiceBlockingStub stub, String name, ModelFormat format, byte[] bytes)
            throws Exception {
        var metadata = TrainedModels.metadata(name, format, bytes);
        if (name.contains("-svm-")) {
            metadata.setOnnxPositiveClassIndex(1);
        }
        ModelVersion v = TrainedModels.upload(service.channel, metadata.build(), bytes);
        return stub.activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(name).setVersion(v.getVersion()).build());
    }

    private static double redisGet(Socket redis, String key) {
        try {
            OutputStream out = redis.getOutputStream();
            out.write(("*2\r\n$3\r\nGET\r\n$" + key.length() + "\r\n" + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = redis.getInputStream();
            int c;
            int n = 0;
            while ((c = in.read()) != '\n') {
                n += c;
            }
            return n;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double sink;

    private static Histogram time(IntToDoubleFunction op, int warmup, int measured) {
        for (int i = 0; i < warmup; i++) {
            sink += op.applyAsDouble(i);
        }
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int i = 0; i < measured; i++) {
            long t0 = System.nanoTime();
            sink += op.applyAsDouble(i);
            h.recordValue(System.nanoTime() - t0);
        }
        return h;
    }

    private static double p50(Histogram h) {
        return h.getValueAtPercentile(50);
    }

    private static void line(StringBuilder report, String what, Histogram h) {
        report.append(String.format("%-44s %10.2f %10.2f %10.2f%n",
                what, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMean() / 1000.0));
    }
}
