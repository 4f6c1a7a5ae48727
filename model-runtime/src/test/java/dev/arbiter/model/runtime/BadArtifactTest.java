package dev.arbiter.model.runtime;

import ml.dmlc.xgboost4j.java.Booster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Artifacts that cannot be served are refused at load time with a message that says what is wrong. */
class BadArtifactTest {

    private static final List<String> NAMES = SyntheticData.featureNames();

    private static SyntheticData data;
    private static Booster booster;
    private static byte[] json;
    private static byte[] ubj;
    private static byte[] onnx;

    @BeforeAll
    static void train() throws Exception {
        data = SyntheticData.generate(21L, 1_000, 0.05);
        booster = XGBoostTraining.train(data, XGBoostTraining.base("binary:logistic"), 5);
        json = booster.toByteArray("json");
        ubj = booster.toByteArray("ubj");
        onnx = TribuoTraining.onnx(TribuoTraining.logisticRegression(SyntheticData.generate(22L, 500, 0)));
    }

    @AfterAll
    static void dispose() {
        booster.dispose();
    }

    @Test
    void theGoodArtifactsLoad() throws Exception {
        ModelRuntimes.load(xgb(ArtifactFormat.XGBOOST_JSON, json)).close();
        ModelRuntimes.load(xgb(ArtifactFormat.XGBOOST_UBJ, ubj)).close();
        ModelRuntimes.load(onnx(onnx, NAMES)).close();
    }

    @Test
    void missingFieldsAreNamed() {
        assertRefused("no artifact was given", null);
        assertRefused("the artifact has no format; use one of ONNX, XGBOOST_JSON, XGBOOST_UBJ",
                new ModelArtifact(null, json, NAMES, "", 1));
        assertRefused("the artifact is empty (0 bytes); upload the model file",
                new ModelArtifact(ArtifactFormat.ONNX, new byte[0], NAMES, "", 1));
        assertRefused("inputFeatureNames is empty; list the feature of each input column, in order",
                new ModelArtifact(ArtifactFormat.ONNX, onnx, List.of(), "", 1));
        List<String> twice = new ArrayList<>(NAMES);
        twice.set(7, "f02");
        assertRefused("inputFeatureNames lists \"f02\" twice (again at position 7); each input column needs its own"
                + " feature", xgb(ArtifactFormat.XGBOOST_JSON, json, twice));
    }

    @Test
    void wrongFeatureCountIsRefused() {
        List<String> nineteen = NAMES.subList(0, 19);
        assertRefused("the XGBoost model takes 20 features but inputFeatureNames lists 19; list exactly the model's"
                + " features, in training column order", xgb(ArtifactFormat.XGBOOST_JSON, json, nineteen));
        assertRefused("the XGBoost model takes 20 features but inputFeatureNames lists 19; list exactly the model's"
                + " features, in training column order", xgb(ArtifactFormat.XGBOOST_UBJ, ubj, nineteen));
        assertRefused("the ONNX model takes 20 features but inputFeatureNames lists 19; list exactly the model's"
                + " features, in column order", onnx(onnx, nineteen));
    }

    @Test
    void truncatedArtifactsAreRefused() {
        assertRefusedStartingWith("XGBoost cannot read the artifact (corrupt or truncated?): ",
                xgb(ArtifactFormat.XGBOOST_JSON, Arrays.copyOf(json, json.length / 2)));
        assertRefusedStartingWith("the XGBoost UBJ artifact is corrupt or truncated at byte ",
                xgb(ArtifactFormat.XGBOOST_UBJ, Arrays.copyOf(ubj, ubj.length / 2)));
        assertRefusedStartingWith("ONNX Runtime cannot read the artifact as an ONNX model: ",
                onnx(Arrays.copyOf(onnx, onnx.length / 2), NAMES));
    }

    @Test
    void corruptArtifactsAreRefused() {
        byte[] noise = new byte[4096];
        new Random(5).nextBytes(noise);
        assertRefusedStartingWith("ONNX Runtime cannot read the artifact as an ONNX model: ", onnx(noise, NAMES));
        assertRefused("the artifact says XGBOOST_JSON but is not JSON text (it does not start with '{\"')",
                xgb(ArtifactFormat.XGBOOST_JSON, noise));
        assertRefused("the artifact says XGBOOST_UBJ but is not UBJ (it does not start with a UBJ object)",
                xgb(ArtifactFormat.XGBOOST_UBJ, noise));
        String text = new String(json, StandardCharsets.UTF_8).replace("\"split_conditions\":[", "\"split_conditions\":{");
        assertRefusedStartingWith("XGBoost cannot read the artifact (corrupt or truncated?): ",
                xgb(ArtifactFormat.XGBOOST_JSON, text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aUbjLengthPastTheEndIsRefusedBeforeXGBoostReadsIt() {
        // found by fuzzing: a key length of 0x7b4c0000 in 226 bytes crashed the JVM inside XGBoost's UBJ reader
        byte[] crash = Base64.getDecoder().decode("e0wAAAAAe0wAAAAAAAAAAAAADQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDSANDQ0NDQ0N/N/y3yANAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAKenp6cAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0gDQ0NDQ0NDfzf8t8gDQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACnp6enAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB9fX0kIA==");
        assertRefused("the XGBoost UBJ artifact is corrupt or truncated at byte 10: a string needs 2068578304 bytes but 216 remain",
                xgb(ArtifactFormat.XGBOOST_UBJ, crash));
        // a count of zero-byte elements would ask for unbounded output; a typed container holds numbers only
        assertRefusedStartingWith("the XGBoost UBJ artifact is corrupt or truncated at byte 7: a typed container of 'Z'",
                xgb(ArtifactFormat.XGBOOST_UBJ, new byte[] {'{', 'i', 1, 'a', '[', '$', 'Z', '#', 'L', 0x7f, 0, 0, 0, 0, 0, 0, 0}));
        assertRefused("the XGBoost UBJ artifact is corrupt or truncated at byte 17: a container counts 9223372036854775807 elements but 0 bytes remain",
                xgb(ArtifactFormat.XGBOOST_UBJ, new byte[] {'{', 'i', 1, 'a', '[', '$', 'd', '#', 'L', 0x7f, -1, -1, -1, -1, -1, -1, -1}));
        byte[] deep = new byte[1 + 4 * 70]; // {"a":{"a":{ ... 70 deep
        deep[0] = '{';
        for (int i = 0; i < 70; i++) {
            System.arraycopy(new byte[] {'i', 1, 'a', '{'}, 0, deep, 1 + 4 * i, 4);
        }
        assertRefused("the XGBoost UBJ artifact is corrupt or truncated at byte 257: nested deeper than 64", xgb(ArtifactFormat.XGBOOST_UBJ, deep));
    }

    @Test
    void wrongFormatIsNamed() {
        assertRefused("the artifact says XGBOOST_JSON but holds UBJ (binary JSON); set the format to XGBOOST_UBJ",
                xgb(ArtifactFormat.XGBOOST_JSON, ubj));
        assertRefused("the artifact says XGBOOST_UBJ but holds JSON text; set the format to XGBOOST_JSON",
                xgb(ArtifactFormat.XGBOOST_UBJ, json));
        assertRefused("the artifact says XGBOOST_JSON but is not JSON text (it does not start with '{\"')",
                xgb(ArtifactFormat.XGBOOST_JSON, onnx));
        assertRefusedStartingWith("ONNX Runtime cannot read the artifact as an ONNX model: ", onnx(json, NAMES));
    }

    @Test
    void unsupportedXGBoostModelsAreRefused() throws Exception {
        Map<String, Object> regression = XGBoostTraining.base("reg:squarederror");
        assertRefused("the XGBoost objective is \"reg:squarederror\"; Arbiter serves binary classifiers: train with"
                + " objective binary:logistic (or binary:logitraw)", trained(regression));
        Map<String, Object> multiclass = XGBoostTraining.base("multi:softprob");
        multiclass.put("num_class", 2);
        assertRefused("the XGBoost objective is \"multi:softprob\"; Arbiter serves binary classifiers: train with"
                + " objective binary:logistic (or binary:logitraw)", trained(multiclass));
        Map<String, Object> linear = XGBoostTraining.base("binary:logistic");
        linear.put("booster", "gblinear");
        assertRefused("the XGBoost booster is \"gblinear\"; tree models are served (gbtree, random forests and dart):"
                + " retrain with booster=gbtree", trained(linear));
    }

    @Test
    void unsupportedOnnxOutputsAreRefused() {
        ModelLoadException output = assertRefused("onnx_output_name is \"probability\" but the ONNX model has no such"
                + " output; its outputs are [output]", new ModelArtifact(ArtifactFormat.ONNX, onnx, NAMES, "probability", 1));
        assertEquals("onnx_output_name", output.setting());
        ModelLoadException index = assertRefused("onnx_positive_class_index is 2 but output \"output\" has two classes;"
                + " use 0 or 1 (the column of the positive class)", new ModelArtifact(ArtifactFormat.ONNX, onnx, NAMES, "", 2));
        assertEquals("onnx_positive_class_index", index.setting());
    }

    private ModelArtifact trained(Map<String, Object> params) throws Exception {
        Booster other = XGBoostTraining.train(data, params, 2);
        try {
            return xgb(ArtifactFormat.XGBOOST_JSON, other.toByteArray("json"));
        } finally {
            other.dispose();
        }
    }

    private static ModelArtifact xgb(ArtifactFormat format, byte[] bytes) {
        return xgb(format, bytes, NAMES);
    }

    private static ModelArtifact xgb(ArtifactFormat format, byte[] bytes, List<String> names) {
        return new ModelArtifact(format, bytes, names, "", 1);
    }

    private static ModelArtifact onnx(byte[] bytes, List<String> names) {
        return new ModelArtifact(ArtifactFormat.ONNX, bytes, names, "", 1);
    }

    private static ModelLoadException assertRefused(String message, ModelArtifact artifact) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelRuntimes.load(artifact).close());
        assertEquals(message, e.getMessage());
        return e;
    }

    private static void assertRefusedStartingWith(String prefix, ModelArtifact artifact) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelRuntimes.load(artifact).close());
        System.out.println("refused: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(e.getMessage().length() > prefix.length() + 10, "says what XGBoost / ONNX Runtime found");
    }
}
