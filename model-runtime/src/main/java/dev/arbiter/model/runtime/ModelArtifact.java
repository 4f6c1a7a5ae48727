package dev.arbiter.model.runtime;

import java.util.List;

/**
 * One stored model version as the runtime needs it.
 *
 * @param format                 how {@code bytes} are encoded
 * @param bytes                  the model file, unchanged
 * @param inputFeatureNames      the feature each input column holds, in column order; its size is the model's input count
 * @param onnxOutputName         ONNX only: the output holding class probabilities; {@code ""} means the model's first output
 * @param onnxPositiveClassIndex ONNX only: the column of the positive class in a [n, 2] output (usually 1), or, for a
 *                               sequence-of-maps output, the position of the positive class among the sorted map keys
 */
public record ModelArtifact(
        ArtifactFormat format,
        byte[] bytes,
        List<String> inputFeatureNames,
        String onnxOutputName,
        int onnxPositiveClassIndex) {
}
