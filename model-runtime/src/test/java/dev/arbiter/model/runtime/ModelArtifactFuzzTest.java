package dev.arbiter.model.runtime;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target: an uploaded model, its metadata (input feature names, ONNX output name and positive class) and its
 * bytes as ONNX, XGBoost JSON or XGBoost UBJ, parsed by ONNX Runtime and XGBoost's native libraries. It loads and
 * predicts, or is refused with a {@link ModelLoadException} that says why; nothing else escapes and the process does
 * not crash. Saved inputs replay in mvn verify; bench/fuzz.sh fuzzes.
 */
class ModelArtifactFuzzTest {

    private static final String[] NAMES = {"vol_20", "mom_10", "", "vol_20 ", "a,b", "\u0000", "x".repeat(300)};

    @FuzzTest(maxDuration = "2h") // bench/fuzz.sh bounds a run by its count of inputs
    void anyArtifactLoadsOrIsRefusedWithAReason(FuzzedDataProvider data) {
        ArtifactFormat format = data.pickValue(ArtifactFormat.values());
        List<String> names = new ArrayList<>();
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
            names.add(data.pickValue(NAMES));
        }
        String output = data.consumeBoolean() ? "" : data.consumeString(20);
        int positive = data.consumeInt(-1, 3);
        byte[] bytes = data.consumeRemainingAsBytes();
        try (ModelRuntime runtime = ModelRuntimes.load(new ModelArtifact(format, bytes, names, output, positive))) {
            if (runtime == null) {
                throw new AssertionError("load answered nothing");
            }
        } catch (ModelLoadException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("a refusal must say why");
            }
        }
    }
}
