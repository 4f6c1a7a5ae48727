package dev.arbiter.optimizer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.CalibrationMethod;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class HyperparametersTest {

    @Test
    void absentHyperparametersTakeTheirDocumentedDefaults() {
        ModelSettings s = settings(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, "max_depth", integer(5));
        assertEquals(5, s.getInt("max_depth"));
        assertEquals(200, s.getInt("n_estimators"));
        assertEquals(0.05, s.get("eta"));
        assertEquals(CalibrationMethod.CALIBRATION_METHOD_NONE, s.calibration());
        assertEquals(Hyperparameters.of(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES).keySet(), s.hyperparameters().keySet());
        assertEquals(CalibrationMethod.CALIBRATION_METHOD_PLATT, settings(ModelKind.MODEL_KIND_LINEAR_SVM).calibration());
        assertEquals(CalibrationMethod.CALIBRATION_METHOD_NONE,
                settings(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION).calibration());
        assertEquals(2.0, settings(ModelKind.MODEL_KIND_LINEAR_SVM, "c", integer(2)).get("c"),
                "an int_value is accepted for a real parameter");
    }

    @Test
    void anUnknownNameIsRefusedNamingItAndListingTheKnownOnes() {
        RequestRefused e = refused(() -> settings(ModelKind.MODEL_KIND_RANDOM_FOREST, "depth", integer(3)));
        assertEquals("model.hyperparameters[\"depth\"]", e.field());
        assertTrue(e.getMessage().contains("\"depth\""), e.getMessage());
        assertTrue(e.getMessage().contains("[n_estimators, max_depth, subsample, colsample_bynode, min_child_weight,"
                + " lambda, threads]"), e.getMessage());
        // A name of another kind is unknown too.
        assertEquals("model.hyperparameters[\"eta\"]",
                refused(() -> settings(ModelKind.MODEL_KIND_LINEAR_SVM, "eta", real(0.1))).field());
    }

    @Test
    void wrongTypesAndRangesAreRefusedWithTheRange() {
        RequestRefused text = refused(() -> settings(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, "eta",
                ParameterValue.newBuilder().setStringValue("fast").build()));
        assertTrue(text.getMessage().contains("send a number"), text.getMessage());
        RequestRefused fraction = refused(() -> settings(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, "max_depth",
                real(2.5)));
        assertTrue(fraction.getMessage().contains("whole number"), fraction.getMessage());
        RequestRefused range = refused(() -> settings(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, "eta", real(0)));
        assertTrue(range.getMessage().contains("(0, 1]"), range.getMessage());
        refused(() -> settings(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, "n_estimators", integer(0)));
        refused(() -> settings(ModelKind.MODEL_KIND_LINEAR_SVM, "c", real(Double.NaN)));
        refused(() -> settings(ModelKind.MODEL_KIND_LINEAR_SVM, "calibration_fraction", real(0.9)));
        refused(() -> settings(ModelKind.MODEL_KIND_LINEAR_SVM, "c", ParameterValue.getDefaultInstance()));
    }

    @Test
    void kindAndCalibrationMustFit() {
        RequestRefused kind = refused(() -> ModelSettings.of(ModelTrainingConfig.getDefaultInstance(), "spec.model"));
        assertEquals("spec.model.kind", kind.field());
        RequestRefused trees = refused(() -> ModelSettings.of(ModelTrainingConfig.newBuilder()
                .setKind(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES)
                .setCalibration(CalibrationMethod.CALIBRATION_METHOD_ISOTONIC).build(), "spec.model"));
        assertEquals("spec.model.calibration", trees.field());
        assertTrue(trees.getMessage().contains("cannot carry a calibration map"), trees.getMessage());
        refused(() -> ModelSettings.of(ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_RANDOM_FOREST)
                .setCalibration(CalibrationMethod.CALIBRATION_METHOD_PLATT).build(), "spec.model"));
        RequestRefused rawSvm = refused(() -> ModelSettings.of(ModelTrainingConfig.newBuilder()
                .setKind(ModelKind.MODEL_KIND_LINEAR_SVM).setCalibration(CalibrationMethod.CALIBRATION_METHOD_NONE)
                .build(), "spec.model"));
        assertTrue(rawSvm.getMessage().contains("decision values"), rawSvm.getMessage());
        refused(() -> ModelSettings.of(ModelTrainingConfig.newBuilder().setKindValue(99).build(), "spec.model"));
    }

    private static RequestRefused refused(Runnable r) {
        RequestRefused e = assertThrows(RequestRefused.class, r::run);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        return e;
    }

    private static ModelSettings settings(ModelKind kind) {
        return ModelSettings.of(ModelTrainingConfig.newBuilder().setKind(kind).build(), "model");
    }

    private static ModelSettings settings(ModelKind kind, String name, ParameterValue value) {
        return ModelSettings.of(ModelTrainingConfig.newBuilder().setKind(kind).putHyperparameters(name, value).build(),
                "model");
    }

    private static ParameterValue integer(long v) {
        return ParameterValue.newBuilder().setIntValue(v).build();
    }

    private static ParameterValue real(double v) {
        return ParameterValue.newBuilder().setDoubleValue(v).build();
    }
}
