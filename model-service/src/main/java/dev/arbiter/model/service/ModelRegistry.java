package dev.arbiter.model.service;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;

import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.model.repository.ModelEntity;
import dev.arbiter.model.repository.ModelVersionEntity;
import dev.arbiter.model.runtime.ArtifactFormat;
import dev.arbiter.model.runtime.ModelArtifact;
import dev.arbiter.model.runtime.ModelLoadException;
import dev.arbiter.model.runtime.ModelRuntime;
import dev.arbiter.model.runtime.ModelRuntimes;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The registry of models and their immutable versions in PostgreSQL. An upload is checked completely
 * (size, checksum, feature names, and a real load of the artifact) before anything is written, and is
 * written in one transaction, so nothing is ever half-registered.
 */
@ApplicationScoped
public class ModelRegistry {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private final ModelServiceConfig config;
    private final FeatureSchemas schemas;

    public ModelRegistry(ModelServiceConfig config, FeatureSchemas schemas) {
        this.config = config;
        this.schemas = schemas;
    }

    /** A stored artifact and the feature schema its model was registered against. */
    public record Stored(ModelArtifact artifact, String featureSchemaId) {}

    /**
     * Checks what the metadata says of itself, before any artifact byte is accepted. No I/O: it runs on the event loop
     * as the first upload message arrives. The input names are checked against the served schema by {@link #register}.
     */
    public void checkMetadata(NewVersion m) {
        checkName("metadata.model_name", m.modelName());
        if (m.format() == null) {
            throw invalid("metadata.format", "metadata.format is missing; send ONNX, XGBOOST_JSON or XGBOOST_UBJ");
        }
        if (!m.outputIsProbability()) {
            throw invalid("metadata.output", "metadata.output is missing; models must output the probability of the positive class");
        }
        if (m.inputFeatureNames().isEmpty()) {
            throw invalid("metadata.input_feature_names", "metadata.input_feature_names is empty; list the features the model reads, in input order");
        }
        Set<String> seen = new HashSet<>();
        for (String name : m.inputFeatureNames()) {
            if (!seen.add(name)) {
                throw invalid("metadata.input_feature_names", "metadata.input_feature_names names \"" + name + "\" twice; each input once");
            }
        }
        if (m.sizeBytes() <= 0 || m.sizeBytes() > config.maxArtifactBytes()) {
            throw new RequestRefused(
                    m.sizeBytes() <= 0 ? Status.Code.INVALID_ARGUMENT : Status.Code.RESOURCE_EXHAUSTED,
                    "metadata.size_bytes",
                    "metadata.size_bytes is " + m.sizeBytes() + "; send the artifact's exact size, 1.." + config.maxArtifactBytes()
                            + " bytes (arbiter.models.max-artifact-bytes)");
        }
        if (!m.sha256Hex().matches("[0-9a-f]{64}")) {
            throw invalid("metadata.sha256_hex", "metadata.sha256_hex must be 64 lowercase hex digits of the artifact's SHA-256");
        }
    }

    /** Checks the schema id and input names against the schema feature-service serves now; answers that schema. */
    private FeatureSchemas.Schema checkAgainstServedSchema(NewVersion m) {
        FeatureSchemas.Schema schema = schemas.served();
        if (!m.featureSchemaId().isEmpty() && !m.featureSchemaId().equals(schema.id())) {
            throw invalid(
                    "metadata.feature_schema_id",
                    "metadata.feature_schema_id " + m.featureSchemaId() + " is not the feature schema feature-service serves, "
                            + schema.id() + ": the model was trained on other feature windows; train it again on the served"
                            + " features (GetFeatureSchema), or leave the field empty if it reads only names the served schema has");
        }
        List<String> unknown = new ArrayList<>();
        for (String name : m.inputFeatureNames()) {
            if (schema.indexOf(name) < 0 && !MetaGate.INPUTS.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw invalid(
                    "metadata.input_feature_names",
                    "metadata.input_feature_names has names the feature schema " + schema.id() + " does not know: " + unknown
                            + "; use names from GetFeatureSchema: " + schema.names() + " (a meta model may also read "
                            + MetaGate.INPUTS + ")");
        }
        return schema;
    }

    /**
     * Verifies the received bytes against the metadata, loads them to prove they run, and registers a
     * STAGED version (or returns the existing one when the same artifact was uploaded before).
     */
    public VersionInfo register(NewVersion m, byte[] artifact) {
        checkMetadata(m);
        FeatureSchemas.Schema schema = checkAgainstServedSchema(m);
        if (artifact.length != m.sizeBytes()) {
            throw invalid(
                    "chunk",
                    "the chunks carried " + artifact.length + " bytes but metadata.size_bytes is " + m.sizeBytes()
                            + "; the upload was truncated or padded, send the whole artifact again");
        }
        String sha = sha256(artifact);
        if (!sha.equals(m.sha256Hex())) {
            throw invalid(
                    "metadata.sha256_hex",
                    "the artifact's SHA-256 is " + sha + ", not metadata.sha256_hex " + m.sha256Hex()
                            + "; the bytes were corrupted on the way, send them again");
        }
        try (ModelRuntime ignored = ModelRuntimes.load(artifact(m, artifact))) {
            // Loaded, checked and warmed up: the artifact is usable. Serving loads it again on activation.
        } catch (ModelLoadException e) {
            if (e.setting() != null) {
                throw invalid("metadata." + e.setting(), "metadata." + e.getMessage());
            }
            throw invalid(
                    "chunk",
                    "the artifact sent in the chunks does not load as " + m.format() + " with the " + m.inputFeatureNames().size()
                            + " metadata.input_feature_names: " + e.getMessage()
                            + "; send the file the model was saved to, in metadata.format, listing exactly its inputs");
        }
        return persist(m, artifact, schema);
    }

    @Transactional
    VersionInfo persist(NewVersion m, byte[] artifact, FeatureSchemas.Schema schema) {
        ModelEntity.getEntityManager()
                .createNativeQuery("INSERT INTO model.model (name, description) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING")
                .setParameter(1, m.modelName())
                .setParameter(2, m.description())
                .executeUpdate();
        ModelEntity model = ModelEntity.byNameForUpdate(m.modelName()).orElseThrow();
        var existing = ModelVersionEntity.bySha(model, m.sha256Hex());
        if (existing.isPresent()) {
            return info(existing.get());
        }
        if (!m.description().isEmpty()) {
            model.description = m.description();
        }
        ModelVersionEntity v = new ModelVersionEntity();
        v.model = model;
        v.version = ModelVersionEntity.maxVersion(model) + 1;
        v.format = m.format().name();
        v.output = "POSITIVE_CLASS_PROBABILITY";
        v.inputFeatureNames = Json.write(m.inputFeatureNames());
        v.trainingMetadata = Json.write(m.trainingMetadata());
        v.metrics = Json.write(m.metrics());
        v.sizeBytes = artifact.length;
        v.sha256Hex = m.sha256Hex();
        v.artifact = artifact;
        v.description = m.description();
        schemas.remember(schema);
        v.featureSchemaId = schema.id();
        v.onnxOutputName = m.onnxOutputName();
        v.onnxPositiveClassIndex = m.onnxPositiveClassIndex();
        v.status = VersionStatus.STAGED.name();
        v.statusReason = "uploaded";
        v.persist();
        return info(v);
    }

    @Transactional
    public VersionInfo version(String modelName, int version) {
        checkName("model_name", modelName);
        if (version < 0) {
            throw invalid("version", "version is " + version + "; send a version number ≥ 1, or 0 for the latest");
        }
        var found = version == 0 ? ModelVersionEntity.latest(modelName) : ModelVersionEntity.find(modelName, version);
        return info(found.orElseThrow(() -> missing(modelName, version)));
    }

    /** The artifact of a version, checked against its stored checksum. */
    @Transactional
    public Stored artifact(VersionKey key) {
        ModelVersionEntity v = ModelVersionEntity.find(key.model(), key.version()).orElseThrow(() -> missing(key.model(), key.version()));
        byte[] bytes = v.artifact;
        if (!sha256(bytes).equals(v.sha256Hex)) {
            throw RequestRefused.precondition(
                    "version",
                    key + " failed to load: its stored artifact no longer matches its SHA-256 " + v.sha256Hex
                            + "; upload it again as a new version; the versions already serving keep serving");
        }
        return new Stored(new ModelArtifact(
                ArtifactFormat.valueOf(v.format), bytes, Json.strings(v.inputFeatureNames), v.onnxOutputName, v.onnxPositiveClassIndex),
                v.featureSchemaId);
    }

    @Transactional
    public VersionInfo setStatus(VersionKey key, VersionStatus status, String reason) {
        ModelVersionEntity v = ModelVersionEntity.find(key.model(), key.version()).orElseThrow(() -> missing(key.model(), key.version()));
        if (VersionStatus.valueOf(v.status) == VersionStatus.RETIRED && status != VersionStatus.RETIRED) {
            throw precondition(key, "it is RETIRED, which is final; upload the artifact again as a new version");
        }
        v.status = status.name();
        v.statusReason = reason == null ? "" : reason;
        v.statusChangedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return info(v);
    }

    @Transactional
    public List<VersionInfo> versions(String modelName) {
        checkName("model_name", modelName);
        if (ModelEntity.byName(modelName).isEmpty()) {
            throw unknownModel(modelName);
        }
        return ModelVersionEntity.ofModel(modelName).stream().map(ModelRegistry::info).toList();
    }

    /** Every model, by name. */
    @Transactional
    public List<ModelInfo> models() {
        return ModelEntity.<ModelEntity>listAll(io.quarkus.panache.common.Sort.by("name")).stream()
                .map(ModelRegistry::modelInfo)
                .toList();
    }

    /** One model; NOT_FOUND on model_name when it is unknown. */
    @Transactional
    public ModelInfo model(String modelName) {
        checkName("model_name", modelName);
        return modelInfo(ModelEntity.byName(modelName).orElseThrow(() -> unknownModel(modelName)));
    }

    private static ModelInfo modelInfo(ModelEntity m) {
        return new ModelInfo(m.name, m.description, m.createdAt);
    }

    @Transactional
    public List<VersionInfo> serving() {
        return ModelVersionEntity.inStatus(List.of(VersionStatus.ACTIVE.name(), VersionStatus.SHADOW.name())).stream()
                .map(ModelRegistry::info)
                .toList();
    }

    public static void checkName(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw invalid(field, field + " is missing; send a name of 1-64 lowercase letters, digits, '-' or '_'");
        }
        if (!NAME.matcher(name).matches()) {
            throw invalid(field, field + " \"" + name + "\" is not a valid name; use 1-64 lowercase letters, digits, '-' or '_'");
        }
    }

    /** Not found: names model_name when the model itself is unknown, else the version. Call inside a transaction. */
    static RequestRefused missing(String model, int version) {
        if (ModelEntity.byName(model).isEmpty()) {
            return unknownModel(model);
        }
        return notFound(
                "version",
                version == 0
                        ? "model \"" + model + "\" has no versions; upload one first"
                        : "model \"" + model + "\" has no version " + version + "; list its versions with ListModelVersions");
    }

    static RequestRefused unknownModel(String model) {
        return notFound(
                "model_name",
                "model_name \"" + model + "\" is not a registered model; upload a version to create it, or check the name with ListModels");
    }

    static RequestRefused precondition(VersionKey key, String why) {
        return RequestRefused.precondition("version", key + " cannot do that: " + why);
    }

    private static ModelArtifact artifact(NewVersion m, byte[] bytes) {
        return new ModelArtifact(m.format(), bytes, m.inputFeatureNames(), m.onnxOutputName(), m.onnxPositiveClassIndex());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static VersionInfo info(ModelVersionEntity v) {
        return new VersionInfo(
                new VersionKey(v.model.name, v.version),
                ArtifactFormat.valueOf(v.format),
                Json.strings(v.inputFeatureNames),
                Json.stringMap(v.trainingMetadata),
                Json.doubleMap(v.metrics),
                v.sizeBytes,
                v.sha256Hex,
                VersionStatus.valueOf(v.status),
                v.createdAt,
                v.statusChangedAt,
                v.statusReason,
                v.description,
                v.featureSchemaId,
                v.onnxOutputName,
                v.onnxPositiveClassIndex);
    }
}
