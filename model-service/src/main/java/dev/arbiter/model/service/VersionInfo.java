package dev.arbiter.model.service;

import dev.arbiter.model.runtime.ArtifactFormat;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A registered version without its artifact bytes. */
public record VersionInfo(
        VersionKey key,
        ArtifactFormat format,
        List<String> inputFeatureNames,
        Map<String, String> trainingMetadata,
        Map<String, Double> metrics,
        long sizeBytes,
        String sha256Hex,
        VersionStatus status,
        Instant createdAt,
        Instant statusChangedAt,
        String statusReason,
        String description,
        String featureSchemaId,
        String onnxOutputName,
        int onnxPositiveClassIndex) {}
