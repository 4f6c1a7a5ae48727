package dev.arbiter.model.runtime;

import ml.dmlc.xgboost4j.java.Booster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flat evaluator against xgboost4j's own predictions for models trained here: the float32 margin must be
 * bit-identical and the probability within 1e-6, for JSON and UBJ, one row at a time and in a batch.
 */
class XGBoostRuntimeTest {

    private static final double TOLERANCE = 1e-6;

    private static SyntheticData training;
    /** Training rows (values equal to split thresholds) followed by fresh rows; about 5% of values are NaN. */
    private static SyntheticData evaluation;
    private static Booster gbtree;
    private static Booster forest;

    @BeforeAll
    static void train() throws Exception {
        training = SyntheticData.generate(1L, 5_000, 0.05);
        SyntheticData fresh = SyntheticData.generate(2L, 6_000, 0.05);
        double[] rows = new double[training.rows.length + fresh.rows.length];
        System.arraycopy(training.rows, 0, rows, 0, training.rows.length);
        System.arraycopy(fresh.rows, 0, rows, training.rows.length, fresh.rows.length);
        evaluation = SyntheticData.wrap(rows, training.n + fresh.n);
        gbtree = XGBoostTraining.train(training, XGBoostTraining.gbtree(), 200);
        forest = XGBoostTraining.train(training, XGBoostTraining.randomForest(), 1);
    }

    @AfterAll
    static void dispose() {
        gbtree.dispose();
        forest.dispose();
    }

    @ParameterizedTest
    @EnumSource(value = ArtifactFormat.class, names = {"XGBOOST_JSON", "XGBOOST_UBJ"})
    void gbtreeMatchesXGBoost(ArtifactFormat format) throws Exception {
        assertMatches(gbtree, format, 200, CompleteTrees.class);
    }

    @ParameterizedTest
    @EnumSource(value = ArtifactFormat.class, names = {"XGBOOST_JSON", "XGBOOST_UBJ"})
    void randomForestMatchesXGBoost(ArtifactFormat format) throws Exception {
        assertMatches(forest, format, 100, CompleteTrees.class);
    }

    @Test
    void deepLossGuidedTreesMatchXGBoost() throws Exception {
        Map<String, Object> params = XGBoostTraining.base("binary:logistic");
        params.put("grow_policy", "lossguide");
        params.put("max_depth", 0);
        params.put("max_leaves", 64);
        trainAndAssertMatches(params, 20, ArtifactFormat.XGBOOST_JSON, LinkedTrees.class);
    }

    @Test
    void dartModelMatchesXGBoost() throws Exception {
        Map<String, Object> params = XGBoostTraining.base("binary:logistic");
        params.put("booster", "dart");
        params.put("max_depth", 4);
        params.put("rate_drop", 0.3);
        trainAndAssertMatches(params, 30, ArtifactFormat.XGBOOST_UBJ, CompleteTrees.class);
    }

    @Test
    void logitrawModelServesTheSigmoidOfItsMargin() throws Exception {
        Map<String, Object> params = XGBoostTraining.base("binary:logitraw");
        params.put("max_depth", 3);
        Booster booster = XGBoostTraining.train(training, params, 20);
        try (ModelRuntime runtime = ModelRuntimes.load(artifact(booster, ArtifactFormat.XGBOOST_JSON))) {
            float[] margins = XGBoostTraining.predict(booster, evaluation);
            for (int r = 0; r < evaluation.n; r++) {
                double expected = 1.0 / (1.0 + Math.exp(-margins[r]));
                assertEquals(expected, runtime.predict(evaluation.row(r)), TOLERANCE, "row " + r);
            }
        } finally {
            booster.dispose();
        }
    }

    @Test
    void featureNamesStoredInTheModelMustMatch() throws Exception {
        Booster booster = XGBoostTraining.train(training, XGBoostTraining.base("binary:logistic"), 2);
        try {
            booster.setFeatureNames(SyntheticData.featureNames().toArray(String[]::new));
            byte[] json = booster.toByteArray("json");
            ModelRuntimes.load(new ModelArtifact(ArtifactFormat.XGBOOST_JSON, json, SyntheticData.featureNames(), "", 1))
                    .close();
            List<String> swapped = new ArrayList<>(SyntheticData.featureNames());
            Collections.swap(swapped, 3, 4);
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> ModelRuntimes.load(new ModelArtifact(ArtifactFormat.XGBOOST_JSON, json, swapped, "", 1)));
            assertTrue(e.getMessage().contains("feature 3 is \"f03\" in the XGBoost model but \"f04\""), e.getMessage());
        } finally {
            booster.dispose();
        }
    }

    private static void trainAndAssertMatches(Map<String, Object> params, int rounds, ArtifactFormat format,
                                              Class<? extends Trees> layout) throws Exception {
        Booster booster = XGBoostTraining.train(training, params, rounds);
        try {
            assertMatches(booster, format, rounds, layout);
        } finally {
            booster.dispose();
        }
    }

    private static void assertMatches(Booster booster, ArtifactFormat format, int trees, Class<? extends Trees> layout)
            throws Exception {
        float[] expected = XGBoostTraining.predict(booster, evaluation);
        try (ModelRuntime runtime = ModelRuntimes.load(artifact(booster, format))) {
            assertEquals(SyntheticData.FEATURES, runtime.inputCount());
            assertTrue(runtime.acceptsMissing());
            FlatTreeEnsemble ensemble = (FlatTreeEnsemble) runtime;
            assertEquals(trees, ensemble.treeCount());
            assertEquals(layout, ensemble.layout());

            int missingRows = 0;
            double worst = 0;
            for (int r = 0; r < evaluation.n; r++) {
                double[] row = evaluation.row(r);
                missingRows += hasNaN(row) ? 1 : 0;
                double actual = runtime.predict(row);
                worst = Math.max(worst, Math.abs(actual - expected[r]));
                assertEquals(expected[r], actual, TOLERANCE, "single row " + r);
            }
            assertTrue(missingRows > 1_000, "rows with NaN: " + missingRows);

            double[] batch = new double[evaluation.n];
            runtime.predictBatch(evaluation.rows, evaluation.n, batch);
            for (int r = 0; r < evaluation.n; r++) {
                assertEquals(expected[r], batch[r], TOLERANCE, "batch row " + r);
            }
            float[] margins = XGBoostTraining.predict(booster, evaluation, true);
            int differentMargins = 0;
            for (int r = 0; r < evaluation.n; r++) {
                differentMargins += ensemble.margin(evaluation.rows, r * SyntheticData.FEATURES)
                        == margins[r] ? 0 : 1;
            }
            assertEquals(0, differentMargins, "rows whose float32 margin differs from xgboost4j's in any bit");
            System.out.printf("%s %d trees in %s: %d rows, max |flat - xgboost4j| = %.2e%n", format, trees,
                    ensemble.layout().getSimpleName(), evaluation.n, worst);
        }
    }

    static ModelArtifact artifact(Booster booster, ArtifactFormat format) throws Exception {
        byte[] bytes = booster.toByteArray(format == ArtifactFormat.XGBOOST_JSON ? "json" : "ubj");
        return new ModelArtifact(format, bytes, SyntheticData.featureNames(), "", 1);
    }

    private static boolean hasNaN(double[] row) {
        for (double v : row) {
            if (Double.isNaN(v)) {
                return true;
            }
        }
        return false;
    }
}
