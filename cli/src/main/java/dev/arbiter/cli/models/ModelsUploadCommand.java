package dev.arbiter.cli.models;

import com.google.protobuf.ByteString;
import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.OutboundStream;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelOutput;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.proto.v1.UploadModelRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter models upload}: streams a model file to UploadModel with its size and SHA-256. */
@Command(name = "upload", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Upload a model file as a new version.", sortOptions = false,
        description = {"The version is STAGED. model-service checks the size and "
                + "SHA-256, that the inputs are features it serves, and that the model loads and predicts, before it "
                + "registers anything; the same file again answers the existing version.",
                "Example: arbiter models upload gbt.json --name gbt-demand --inputs-from-features"})
public class ModelsUploadCommand extends CliCommand {

    /** UploadModel takes at most 1 MiB per chunk. */
    static final int CHUNK_BYTES = 256 * 1024;

    /** {@code --format}: the artifact's format. */
    public enum Format {
        ONNX("onnx", ModelFormat.MODEL_FORMAT_ONNX),
        XGBOOST_JSON("xgboost-json", ModelFormat.MODEL_FORMAT_XGBOOST_JSON),
        XGBOOST_UBJ("xgboost-ubj", ModelFormat.MODEL_FORMAT_XGBOOST_UBJ);

        private final String cliName;
        final ModelFormat proto;

        Format(String cliName, ModelFormat proto) {
            this.cliName = cliName;
            this.proto = proto;
        }

        @Override
        public String toString() {
            return cliName;
        }
    }

    /** Where the input feature names come from. */
    static class Inputs {
        @Option(names = "--inputs", split = ",", paramLabel = "NAME",
                description = "The features the model reads, in its input order (comma-separated).")
        List<String> names;

        @Option(names = "--inputs-from-features",
                description = "The model reads every feature of feature-service's schema, in its order (asks feature-service).")
        boolean fromFeatures;
    }

    @Parameters(index = "0", paramLabel = "FILE", description = "The model file: .onnx, .json (XGBoost) or .ubj (XGBoost).")
    Path file;

    @Option(names = "--name", required = true, paramLabel = "MODEL",
            description = "The model (created on its first upload): lowercase letters, digits, '-', '_'.")
    String name;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "${COMPLETION-CANDIDATES} (default: from the file's extension).")
    Format format;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Inputs inputs;

    @Option(names = "--description", paramLabel = "TEXT", description = "What this version is, in one sentence.")
    String description;

    @Option(names = "--metric", paramLabel = "NAME=VALUE", description = "An evaluation metric, repeatable, e.g. brier_score=0.24.")
    List<String> metrics = new ArrayList<>();

    @Option(names = "--meta", paramLabel = "NAME=VALUE", description = "A training fact, repeatable, e.g. data=2014-01..2014-03.")
    List<String> meta = new ArrayList<>();

    @Option(names = "--feature-schema", paramLabel = "ID", description = "The feature schema the inputs were computed with.")
    String featureSchema;

    @Option(names = "--onnx-output", paramLabel = "NAME", description = "ONNX: the output tensor to read (default: the first).")
    String onnxOutput;

    @Option(names = "--onnx-positive-index", paramLabel = "N",
            description = "ONNX: the positive class's column in a [n, 2] output (default: 1).")
    Integer onnxPositiveIndex;

    Format format() {
        if (format != null) {
            return format;
        }
        String f = file.getFileName().toString().toLowerCase();
        if (f.endsWith(".onnx")) {
            return Format.ONNX;
        }
        if (f.endsWith(".json")) {
            return Format.XGBOOST_JSON;
        }
        if (f.endsWith(".ubj")) {
            return Format.XGBOOST_UBJ;
        }
        throw new UsageError("cannot tell the format of " + file + " from its extension; pass --format onnx, xgboost-json or xgboost-ubj");
    }

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UsageError("there is no file " + file + "; check the path");
        }
        long size = Files.size(file);
        UploadModelMetadata.Builder m = UploadModelMetadata.newBuilder()
                .setModelName(name)
                .setFormat(format().proto)
                .setOutput(ModelOutput.MODEL_OUTPUT_POSITIVE_CLASS_PROBABILITY)
                .setSizeBytes(size)
                .setSha256Hex(sha256(file))
                .putAllMetrics(doubles("--metric", metrics))
                .putAllTrainingMetadata(strings("--meta", meta));
        if (inputs.fromFeatures) {
            FeatureSchema schema = features(s -> s.getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance()));
            m.addAllInputFeatureNames(schema.getNamesList()).setFeatureSchemaId(schema.getSchemaId());
        } else {
            m.addAllInputFeatureNames(inputs.names);
        }
        if (featureSchema != null) {
            m.setFeatureSchemaId(featureSchema);
        }
        if (description != null) {
            m.setDescription(description);
        }
        if (onnxOutput != null) {
            m.setOnnxOutputName(onnxOutput);
        }
        if (onnxPositiveIndex != null) {
            m.setOnnxPositiveClassIndex(onnxPositiveIndex);
        }
        AtomicReference<ModelVersion> answer = new AtomicReference<>();
        Progress progress = progress("upload " + name);
        OutboundStream<UploadModelRequest, ModelVersion> stream = new OutboundStream<>(services(), Service.MODELS, answer::set);
        services().streaming(Service.MODELS, ModelServiceGrpc::newStub).uploadModel(stream);
        try (InputStream in = Files.newInputStream(file)) {
            stream.send(UploadModelRequest.newBuilder().setMetadata(m).build());
            byte[] buffer = new byte[CHUNK_BYTES];
            long sent = 0;
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                stream.send(UploadModelRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, n)).build());
                sent += n;
                progress.update((double) sent / Math.max(size, 1), "sending", Fmt.bytes(sent) + " of " + Fmt.bytes(size));
            }
            progress.update(1, "model-service loads and checks it");
            stream.finish();
        } catch (IOException | RuntimeException e) {
            stream.cancel("the CLI stopped: " + e.getMessage(), e);
            progress.abandon();
            throw e;
        }
        progress.finish("done");
        ModelVersion v = answer.get();
        out().println(v.getModelName() + " v" + v.getVersion() + " is " + ModelsListCommand.status(v.getStatus()) + " ("
                + Fmt.bytes(v.getSizeBytes()) + ", " + v.getInputFeatureNamesCount() + " inputs, sha256 "
                + v.getSha256Hex().substring(0, 12) + "...): activate it with 'arbiter models activate "
                + v.getModelName() + " " + v.getVersion() + "'");
        out().flush();
        return 0;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                d.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static Map<String, Double> doubles(String option, List<String> entries) {
        Map<String, Double> out = new LinkedHashMap<>();
        strings(option, entries).forEach((k, v) -> {
            try {
                out.put(k, Double.parseDouble(v));
            } catch (NumberFormatException e) {
                throw new UsageError(option + " " + k + "=" + v + ": the value is not a number");
            }
        });
        return out;
    }

    private static Map<String, String> strings(String option, List<String> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String e : entries) {
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new UsageError(option + " '" + e + "' is not name=value");
            }
            out.put(e.substring(0, eq).trim(), e.substring(eq + 1).trim());
        }
        return out;
    }
}
