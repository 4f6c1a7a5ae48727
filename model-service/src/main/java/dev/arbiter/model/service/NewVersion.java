package dev.arbiter.model.service;

import dev.arbiter.model.runtime.ArtifactFormat;
import java.util.List;
import java.util.Map;

/** What an upload says about the artifact that follows it. */
public record NewVersion(
        String modelName,
        ArtifactFormat format,
        boolean outputIsProbability,
        List<String> inputFeatureNames,
        Map<String, String> trainingMetadata,
        Map<String, Double> metrics,
        long sizeBytes,
        String sha256Hex,
        String description,
        String featureSchemaId,
        String onnxOutputName,
        int onnxPositiveClassIndex) {}
