package dev.arbiter.model.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Turns an XGBoost artifact (JSON or UBJ) into a {@link FlatTreeEnsemble}. A UBJ artifact is first read strictly and
 * rewritten as JSON ({@link UbjToJson}). xgboost4j reads every artifact once: a
 * corrupt file is refused with XGBoost's own message, the model is saved back as JSON for the ensemble to be built
 * from, and the ensemble is checked against xgboost4j's predictions on rows built from the model's thresholds; the
 * booster is disposed before {@link #load} returns.
 */
final class XGBoostArtifacts {

    /** Objectives whose margin is the log-odds of the positive class. */
    private static final Set<String> LOGISTIC_OBJECTIVES = Set.of("binary:logistic", "reg:logistic", "binary:logitraw");
    private static final int CHECK_ROWS = 64;
    private static final double CHECK_TOLERANCE = 1e-5;
    private static final int MAX_MESSAGE = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    private XGBoostArtifacts() {
    }

    static FlatTreeEnsemble load(ModelArtifact artifact) throws ModelLoadException {
        byte[] bytes = artifact.bytes();
        boolean jsonText = looksLikeJsonText(bytes);
        if (artifact.format() == ArtifactFormat.XGBOOST_JSON && !jsonText) {
            throw new ModelLoadException(looksLikeUbj(bytes)
                    ? "the artifact says XGBOOST_JSON but holds UBJ (binary JSON); set the format to XGBOOST_UBJ"
                    : "the artifact says XGBOOST_JSON but is not JSON text (it does not start with '{\"')");
        }
        if (artifact.format() == ArtifactFormat.XGBOOST_UBJ && jsonText) {
            throw new ModelLoadException("the artifact says XGBOOST_UBJ but holds JSON text; set the format to XGBOOST_JSON");
        }
        if (artifact.format() == ArtifactFormat.XGBOOST_UBJ && !looksLikeUbj(bytes)) {
            throw new ModelLoadException("the artifact says XGBOOST_UBJ but is not UBJ (it does not start with a UBJ object)");
        }
        // XGBoost's UBJ reader trusts the lengths it reads (a crafted upload crashed the JVM): read UBJ here, give it JSON
        byte[] readable = artifact.format() == ArtifactFormat.XGBOOST_UBJ ? UbjToJson.convert(bytes) : bytes;
        Booster booster;
        try {
            booster = XGBoost.loadModel(readable);
        } catch (XGBoostError | IOException e) {
            throw new ModelLoadException("XGBoost cannot read the artifact (corrupt or truncated?): "
                    + xgboostMessage(e.getMessage()), e);
        }
        try {
            // parse what this xgboost4j writes, not the upload: older schemas (dart, base_score, booleans) come out
            // in the one schema that the predictor checked against below uses
            JsonNode root = readTree(booster.toByteArray("json"));
            FlatTreeEnsemble ensemble = fromJson(root, artifact.inputFeatureNames());
            checkAgainstBooster(ensemble, booster, root);
            return ensemble;
        } catch (XGBoostError e) {
            throw new ModelLoadException("XGBoost fails on the artifact: " + xgboostMessage(e.getMessage()), e);
        } finally {
            booster.dispose();
        }
    }

    private static JsonNode readTree(byte[] json) throws ModelLoadException {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new ModelLoadException("the XGBoost JSON does not parse: " + shorten(e.getMessage()), e);
        }
    }

    /** Builds the ensemble from XGBoost's JSON model schema (the output of {@code save_model("m.json")}). */
    static FlatTreeEnsemble fromJson(JsonNode root, List<String> featureNames) throws ModelLoadException {
        JsonNode learner = require(root, "learner", "the XGBoost JSON has no \"learner\"");
        String objective = learner.path("objective").path("name").asText("");
        if (!LOGISTIC_OBJECTIVES.contains(objective)) {
            throw new ModelLoadException("the XGBoost objective is \"" + objective + "\"; Arbiter serves binary classifiers:"
                    + " train with objective binary:logistic (or binary:logitraw)");
        }
        JsonNode booster = require(learner, "gradient_booster", "the XGBoost JSON has no \"gradient_booster\"");
        String boosterName = booster.path("name").asText("");
        if (!boosterName.equals("gbtree")) {
            throw new ModelLoadException("the XGBoost booster is \"" + boosterName + "\"; tree models are served"
                    + " (gbtree, random forests and dart): retrain with booster=gbtree");
        }
        JsonNode params = require(learner, "learner_model_param", "the XGBoost JSON has no \"learner_model_param\"");
        int numFeature = intParam(params, "num_feature");
        int numClass = intParam(params, "num_class");
        int numTarget = params.has("num_target") ? intParam(params, "num_target") : 1;
        if (numClass > 1 || numTarget != 1) {
            throw new ModelLoadException("the XGBoost model has " + Math.max(numClass, numTarget)
                    + " outputs; Arbiter serves binary classifiers with one output");
        }
        if (numFeature != featureNames.size()) {
            throw new ModelLoadException("the XGBoost model takes " + numFeature + " features but inputFeatureNames lists "
                    + featureNames.size() + "; list exactly the model's features, in training column order");
        }
        checkFeatureNames(learner.path("feature_names"), featureNames);
        float baseMargin = baseMargin(params.path("base_score"), objective.equals("binary:logitraw"));

        JsonNode trees = booster.path("model").path("trees");
        if (!trees.isArray() || trees.isEmpty()) {
            throw new ModelLoadException("the XGBoost model has no trees");
        }
        // DART models (saved as gbtree since 3.x) weight each tree; XGBoost multiplies leaf by weight in float32
        JsonNode weights = booster.path("model").path("weight_drop");
        if (weights.size() != 0 && weights.size() != trees.size()) {
            throw new ModelLoadException("the XGBoost model has " + trees.size() + " trees but " + weights.size()
                    + " tree weights (weight_drop)");
        }
        List<XGBoostTree> parsed = new ArrayList<>(trees.size());
        for (int t = 0; t < trees.size(); t++) {
            float weight = weights.size() == 0 ? 1f : (float) weights.get(t).asDouble();
            parsed.add(readTree(trees.get(t), t, numFeature, weight));
        }
        return new FlatTreeEnsemble(numFeature, baseMargin, parsed);
    }

    private static XGBoostTree readTree(JsonNode tree, int t, int numFeature, float weight) throws ModelLoadException {
        JsonNode left = tree.path("left_children");
        JsonNode right = tree.path("right_children");
        JsonNode feature = tree.path("split_indices");
        JsonNode condition = tree.path("split_conditions");
        JsonNode defaultLeft = tree.path("default_left");
        JsonNode splitType = tree.path("split_type");
        int n = left.size();
        if (n == 0 || right.size() != n || feature.size() != n || condition.size() != n || defaultLeft.size() != n) {
            throw new ModelLoadException("tree " + t + " of the XGBoost model is incomplete (its node arrays are missing"
                    + " or of different lengths)");
        }
        if (tree.path("tree_param").path("size_leaf_vector").asInt(1) > 1) {
            throw new ModelLoadException("tree " + t + " has vector leaves (multi-output model); Arbiter serves binary"
                    + " classifiers with one output");
        }
        XGBoostTree parsed = new XGBoostTree(new int[n], new int[n], new int[n], new float[n], new boolean[n]);
        for (int i = 0; i < n; i++) {
            if (splitType.size() == n && splitType.get(i).asInt() != 0) {
                throw new ModelLoadException("tree " + t + " has a categorical split; encode categories as numbers"
                        + " (e.g. one-hot) and retrain without enable_categorical");
            }
            int l = left.get(i).asInt();
            int r = right.get(i).asInt();
            float value = (float) condition.get(i).asDouble();
            parsed.left()[i] = l;
            parsed.right()[i] = r;
            if (l == -1) {
                parsed.value()[i] = value * weight;
                continue;
            }
            int f = feature.get(i).asInt();
            if (l < 0 || l >= n || r < 0 || r >= n || f < 0 || f >= numFeature) {
                throw new ModelLoadException("node " + i + " of tree " + t + " points outside the tree or the features");
            }
            parsed.value()[i] = value;
            parsed.feature()[i] = f;
            parsed.defaultLeft()[i] = defaultLeft.get(i).asBoolean(); // written as 0/1
        }
        checkIsTree(parsed, t);
        return parsed;
    }

    /** Every node reachable from the root is reached once, so a walk always ends at a leaf. */
    private static void checkIsTree(XGBoostTree tree, int t) throws ModelLoadException {
        int n = tree.size();
        boolean[] seen = new boolean[n];
        int[] stack = new int[n + 1];
        int top = 0;
        stack[top++] = 0;
        while (top > 0) {
            int node = stack[--top];
            if (seen[node]) {
                throw new ModelLoadException("tree " + t + " of the XGBoost model is not a tree (node " + node
                        + " is reached twice)");
            }
            seen[node] = true;
            if (!tree.isLeaf(node)) {
                if (top + 2 > stack.length) {
                    throw new ModelLoadException("tree " + t + " of the XGBoost model is not a tree");
                }
                stack[top++] = tree.left()[node];
                stack[top++] = tree.right()[node];
            }
        }
    }

    private static void checkFeatureNames(JsonNode modelNames, List<String> featureNames) throws ModelLoadException {
        if (!modelNames.isArray() || modelNames.isEmpty()) {
            return;
        }
        for (int i = 0; i < modelNames.size() && i < featureNames.size(); i++) {
            String inModel = modelNames.get(i).asText();
            if (!inModel.equals(featureNames.get(i))) {
                throw new ModelLoadException("feature " + i + " is \"" + inModel + "\" in the XGBoost model but \""
                        + featureNames.get(i) + "\" in inputFeatureNames; list the features in the model's order");
            }
        }
    }

    /**
     * XGBoost stores base_score as a number, a string ("5E-1"), or since 2.x a one-element list in a string ("[5E-1]").
     * For binary:logistic it is a probability and the margin starts at its logit, computed in float32 as XGBoost does;
     * for binary:logitraw XGBoost 3.x starts the margin at base_score itself (the check against xgboost4j confirms).
     */
    static float baseMargin(JsonNode baseScore, boolean rawMargin) throws ModelLoadException {
        String text = baseScore.asText("").trim();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1).trim();
        }
        float value;
        try {
            value = Float.parseFloat(text);
        } catch (NumberFormatException e) {
            throw new ModelLoadException("the XGBoost base_score \"" + baseScore.asText() + "\" is not one number");
        }
        if (rawMargin) {
            if (!Float.isFinite(value)) {
                throw new ModelLoadException("the XGBoost base_score is " + value + "; it must be a finite number");
            }
            return value;
        }
        if (!(value > 0f && value < 1f)) {
            throw new ModelLoadException("the XGBoost base_score is " + value + "; a logistic model needs one in (0, 1)");
        }
        return (float) -Math.log(1.0f / value - 1.0f);
    }

    /** Compares the ensemble with xgboost4j on rows that sit on, just below and just above the model's thresholds. */
    private static void checkAgainstBooster(FlatTreeEnsemble ensemble, Booster booster, JsonNode root)
            throws ModelLoadException, XGBoostError {
        String objective = root.path("learner").path("objective").path("name").asText();
        boolean raw = objective.equals("binary:logitraw");
        int k = ensemble.inputCount();
        double[] rows = probeRows(root, k);
        float[] floats = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            floats[i] = (float) rows[i];
        }
        DMatrix matrix = new DMatrix(floats, CHECK_ROWS, k, Float.NaN);
        try {
            float[][] expected = booster.predict(matrix);
            for (int r = 0; r < CHECK_ROWS; r++) {
                double theirs = raw ? FlatTreeEnsemble.sigmoid(expected[r][0]) : expected[r][0];
                double ours = FlatTreeEnsemble.sigmoid(ensemble.margin(rows, r * k));
                if (!(Math.abs(theirs - ours) <= CHECK_TOLERANCE)) {
                    throw new ModelLoadException(String.format(Locale.ROOT, "the fast evaluator gives %.7f where XGBoost"
                            + " gives %.7f (check row %d); this model uses a feature the runtime does not support yet",
                            ours, theirs, r));
                }
            }
        } finally {
            matrix.dispose();
        }
    }

    /** Seeded rows whose values are the model's thresholds, their float neighbours, or missing. */
    private static double[] probeRows(JsonNode root, int k) {
        List<List<Float>> thresholds = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            thresholds.add(new ArrayList<>());
        }
        for (JsonNode tree : root.path("learner").path("gradient_booster").path("model").path("trees")) {
            JsonNode left = tree.path("left_children");
            for (int i = 0; i < left.size(); i++) {
                if (left.get(i).asInt() != -1) {
                    thresholds.get(tree.path("split_indices").get(i).asInt())
                            .add((float) tree.path("split_conditions").get(i).asDouble());
                }
            }
        }
        Random random = new Random(20240601L);
        double[] rows = new double[CHECK_ROWS * k];
        for (int r = 0; r < CHECK_ROWS; r++) {
            for (int f = 0; f < k; f++) {
                List<Float> ts = thresholds.get(f);
                double v;
                if (r == 0 || random.nextInt(10) == 0) {
                    v = Double.NaN;
                } else if (ts.isEmpty()) {
                    v = random.nextGaussian();
                } else {
                    float t = ts.get(random.nextInt(ts.size()));
                    int side = random.nextInt(3);
                    v = side == 0 ? t : side == 1 ? Math.nextDown(t) : Math.nextUp(t);
                }
                rows[r * k + f] = v;
            }
        }
        return rows;
    }

    private static JsonNode require(JsonNode parent, String field, String message) throws ModelLoadException {
        JsonNode node = parent.get(field);
        if (node == null || !node.isObject()) {
            throw new ModelLoadException(message);
        }
        return node;
    }

    private static int intParam(JsonNode params, String name) throws ModelLoadException {
        try {
            return Integer.parseInt(params.path(name).asText("").trim());
        } catch (NumberFormatException e) {
            throw new ModelLoadException("the XGBoost learner_model_param." + name + " is \"" + params.path(name).asText()
                    + "\", not a whole number");
        }
    }

    /** JSON text starts with '{' followed by a quoted key or '}'. */
    static boolean looksLikeJsonText(byte[] bytes) {
        int i = skipSpace(bytes, 0);
        if (i >= bytes.length || bytes[i] != '{') {
            return false;
        }
        i = skipSpace(bytes, i + 1);
        return i < bytes.length && (bytes[i] == '"' || bytes[i] == '}');
    }

    /** A UBJ object starts with '{' and then a key length marker (or a container optimisation marker). */
    static boolean looksLikeUbj(byte[] bytes) {
        return bytes.length > 1 && bytes[0] == '{' && "iUIlL$#}".indexOf(bytes[1]) >= 0;
    }

    private static int skipSpace(byte[] bytes, int i) {
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** XGBoost's message without its timestamp, source location and native stack trace. */
    private static String xgboostMessage(String message) {
        if (message == null) {
            return "(no message)";
        }
        String text = message;
        int trace = text.indexOf("Stack trace:");
        if (trace >= 0) {
            text = text.substring(0, trace);
        }
        text = text.strip().replaceFirst("^\\[[0-9:]+\\]\\s*", "").replaceFirst("^\\S+\\.(cc|h|cu|cuh):\\d+:\\s*", "");
        return shorten(text);
    }

    private static String shorten(String message) {
        if (message == null) {
            return "(no message)";
        }
        String oneLine = message.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_MESSAGE ? oneLine : oneLine.substring(0, MAX_MESSAGE) + "…";
    }
}
