package dev.arbiter.model.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Basic;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** One immutable uploaded version; only the status columns ever change. */
@Entity
@Table(name = "model_version")
public class ModelVersionEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    @JoinColumn(name = "model_id")
    public ModelEntity model;

    @Column(nullable = false)
    public int version;

    /** An {@code ArtifactFormat} name. */
    @Column(nullable = false)
    public String format;

    @Column(nullable = false)
    public String output;

    /** JSON array of names, in input order. */
    @Column(name = "input_feature_names", nullable = false)
    public String inputFeatureNames;

    /** JSON object of strings. */
    @Column(name = "training_metadata", nullable = false)
    public String trainingMetadata;

    /** JSON object of numbers. */
    @Column(nullable = false)
    public String metrics;

    @Column(name = "size_bytes", nullable = false)
    public long sizeBytes;

    @Column(name = "sha256_hex", nullable = false)
    public String sha256Hex;

    /** Loaded only when a runtime is built, never for listings. */
    @Basic(fetch = FetchType.LAZY)
    @Column(nullable = false, columnDefinition = "bytea")
    public byte[] artifact;

    @Column(nullable = false)
    public String description = "";

    @Column(name = "feature_schema_id", nullable = false)
    public String featureSchemaId = "";

    @Column(name = "onnx_output_name", nullable = false)
    public String onnxOutputName = "";

    @Column(name = "onnx_positive_class_index", nullable = false)
    public int onnxPositiveClassIndex = 1;

    /** A {@code VersionStatus} name. */
    @Column(nullable = false)
    public String status;

    @Column(name = "status_reason", nullable = false)
    public String statusReason = "";

    @Column(name = "created_at", nullable = false)
    public Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);

    @Column(name = "status_changed_at", nullable = false)
    public Instant statusChangedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);

    public static Optional<ModelVersionEntity> find(String modelName, int version) {
        return find("model.name = ?1 and version = ?2", modelName, version).firstResultOptional();
    }

    public static Optional<ModelVersionEntity> latest(String modelName) {
        return find("model.name = ?1 order by version desc", modelName).firstResultOptional();
    }

    public static Optional<ModelVersionEntity> bySha(ModelEntity model, String sha256Hex) {
        return find("model = ?1 and sha256Hex = ?2", model, sha256Hex).firstResultOptional();
    }

    public static int maxVersion(ModelEntity model) {
        Integer max = getEntityManager()
                .createQuery("select max(v.version) from ModelVersionEntity v where v.model = ?1", Integer.class)
                .setParameter(1, model)
                .getSingleResult();
        return max == null ? 0 : max;
    }

    public static List<ModelVersionEntity> ofModel(String modelName) {
        return list("model.name = ?1 order by version desc", modelName);
    }

    public static List<ModelVersionEntity> inStatus(List<String> statuses) {
        return list("status in ?1 order by model.name, version", statuses);
    }
}
