package dev.arbiter.optimizer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.optimizer.backtest.LiveMetaModel;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.TestSeries;
import dev.arbiter.optimizer.dataset.TimeSplit;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.CsvColumnMapping;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ListModelVersionsRequest;
import dev.arbiter.proto.v1.MetaModelTraining;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.ModelVersionStatus;
import dev.arbiter.proto.v1.NamedFeatures;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.proto.v1.RegistrationPolicy;
import dev.arbiter.proto.v1.RunTrainingRequest;
import dev.arbiter.proto.v1.ThresholdEventLabel;
import dev.arbiter.proto.v1.TrainingJobState;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.proto.v1.TrainingSpec;
import dev.arbiter.proto.v1.TrainingUpdate;
import dev.arbiter.testing.ClientStreams;
import dev.arbiter.testing.ServiceProcess;
import dev.arbiter.testing.WebhookReceiver;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Integration test: a packaged optimizer-service and a packaged model-service as processes, real PostgreSQL and Redis.
 * The electricity series is imported through ImportHistory, the four kinds are trained by RunTraining and registered
 * in model-service, which then serves each with the probabilities the same model gives in-process. Against an ACTIVE
 * champion, a challenger with a better validation Brier score is registered (STAGED) and an equal one is not.
 */
public class TrainingIT {

    private static final List<ModelKind> KINDS = List.of(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES,
            ModelKind.MODEL_KIND_RANDOM_FOREST, ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, ModelKind.MODEL_KIND_LINEAR_SVM);
    private static final long SEED = 11;

    @Test
    void theFourKindsAreTrainedRegisteredAndServed() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Path historyRoot = Files.createTempDirectory("arbiter-training-it-");
        Map<String, String> modelConfig = Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "quarkus.flyway.clean-disabled", "false",
                "quarkus.flyway.clean-at-start", "true",
                "arbiter.models.redis-prefix", "arbiter-it-training:models:",
                "arbiter.models.drift.evaluation-interval", "0",
                // no feature-service here: the configured (default) windows' schema stands in, as optimizer-service's
                "quarkus.grpc.clients.features.port", "1");
        try (WebhookReceiver alerts = new WebhookReceiver();
             ServiceProcess models = ServiceProcess.start("model-service.runner", "training-it-model-service", modelConfig);
             ServiceProcess optimizer = ServiceProcess.start("optimizer-service.runner", "training-it-optimizer-service",
                     Map.of("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                             "quarkus.flyway.clean-disabled", "false",
                             "quarkus.flyway.clean-at-start", "true",
                             "quarkus.grpc.clients.models.port", Integer.toString(models.grpcPort),
                             "arbiter.optimizer.history.root", historyRoot.toString(),
                             "arbiter.alerts.webhook-url", alerts.url()))) {
            var registry = ModelServiceGrpc.newBlockingStub(models.channel);
            var service = OptimizerServiceGrpc.newBlockingStub(optimizer.channel);
            String series = "electricity-" + suffix;
            assertEquals(4032, importElectricity(optimizer, series).getRowsImported());

            // The same data and settings trained here: model-service must serve what these predict.
            TimeSplit split = TimeSplit.latest(Dataset.build(TestSeries.electricity(), FeatureConfig.defaults(),
                    TrainingFixtures.PEAK), 0.2);
            Dataset validation = split.validation();
            TrainingData train = TrainingFixtures.data(split.train());

            for (ModelKind kind : KINDS) {
                String model = kind.name().substring("MODEL_KIND_".length()).toLowerCase().replace('_', '-') + "-" + suffix;
                TrainingResult result = train(service, spec(series, model, kind, RegistrationPolicy.REGISTRATION_POLICY_IF_BETTER));
                assertEquals(TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED, result.getState(), result.getReason());
                assertTrue(result.getRegistered(), result.getReason());
                assertEquals(1, result.getModelVersion().getVersion());
                assertEquals(split.train().rows(), result.getTrainRows(), "the service's split is this split");
                assertEquals(validation.rows(), result.getValidationRows());

                List<ModelVersion> versions = registry.listModelVersions(ListModelVersionsRequest.newBuilder()
                        .setModelName(model).build()).getVersionsList();
                assertEquals(1, versions.size(), model);
                ModelVersion v = versions.get(0);
                assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_STAGED, v.getStatus());
                assertEquals(validation.featureNames(), v.getInputFeatureNamesList());
                assertEquals(validation.featureSchemaId(), v.getFeatureSchemaId());
                assertEquals(ModelSettings.isLinear(kind) ? ModelFormat.MODEL_FORMAT_ONNX : ModelFormat.MODEL_FORMAT_XGBOOST_JSON,
                        v.getFormat());
                assertEquals(result.getValidationMetrics().getBrierScore(), v.getMetricsOrThrow("brier_score"));
                assertEquals(result.getValidationMetrics().getExpectedCalibrationError(), v.getMetricsOrThrow("ece"));
                assertEquals(result.getJobId(), v.getTrainingMetadataOrThrow("job_id"));
                String alert = alerts.await(b -> b.contains("\"key\":\"" + result.getJobId() + "\""), 10);
                assertTrue(alert.contains("\"event\":\"retraining\"") && alert.contains("registered " + model + " v1"), alert);

                try (TrainedModel local = ModelTrainer.train(ModelSettings.of(ModelTrainingConfig.newBuilder()
                        .setKind(kind).build(), "model"), train, TrainingFixtures.data(validation), SEED, ProgressListener.NONE)) {
                    double[] expected = local.predict(validation.x(), validation.rows());
                    for (int r = 0; r < validation.rows(); r += 37) {
                        double served = registry.predict(PredictRequest.newBuilder()
                                .setTarget(PredictionTarget.newBuilder().setModel(ref(model, 1)))
                                .setInput(row(validation, r)).build()).getEnsembleProbability();
                        assertEquals(expected[r], served, 1e-5, kind + " row " + r + ": served = in-process");
                    }
                }
            }

            // A challenger must beat the ACTIVE champion's validation Brier score on the same rows.
            String lr = "logistic-regression-" + suffix;
            registry.activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(lr).setVersion(1)
                    .setReason("champion for TrainingIT").build());
            TrainingResult championFirst = train(service, spec(series, lr, ModelKind.MODEL_KIND_LOGISTIC_REGRESSION,
                    RegistrationPolicy.REGISTRATION_POLICY_IF_BETTER));
            assertFalse(championFirst.getRegistered(), "the same model again does not beat itself: "
                    + championFirst.getReason());
            assertEquals(ref(lr, 1), championFirst.getChampion());
            assertEquals(championFirst.getValidationMetrics().getBrierScore(),
                    championFirst.getChampionMetrics().getBrierScore(), 1e-6, "served and in-process agree");
            // Retraining's rule: better with confidence. The same model again: its interval holds 0, not registered.
            TrainingResult sameAgain = train(service, spec(series, lr, ModelKind.MODEL_KIND_LOGISTIC_REGRESSION,
                    RegistrationPolicy.REGISTRATION_POLICY_IF_SIGNIFICANTLY_BETTER));
            assertFalse(sameAgain.getRegistered(), sameAgain.getReason());
            assertTrue(sameAgain.getBrierDifferenceLower() <= 1e-6 && sameAgain.getBrierDifferenceUpper() >= -1e-6,
                    "the same model: " + sameAgain.getReason());
            assertTrue(sameAgain.getReason().contains("not better with confidence"), sameAgain.getReason());
            // Boosted trees against the logistic regression on the same rows: better with confidence, registered.
            TrainingResult challenger = train(service, spec(series, lr, ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES,
                    RegistrationPolicy.REGISTRATION_POLICY_IF_SIGNIFICANTLY_BETTER));
            assertTrue(challenger.getRegistered(), challenger.getReason());
            assertEquals(2, challenger.getModelVersion().getVersion());
            assertTrue(challenger.getValidationMetrics().getBrierScore() < challenger.getChampionMetrics().getBrierScore());
            assertTrue(challenger.getBrierDifferenceUpper() < 0, challenger.getReason());
            assertEquals(challenger.getValidationMetrics().getBrierScore() - challenger.getChampionMetrics().getBrierScore(),
                    challenger.getBrierDifference(), 1e-6, "the mean difference is the difference of Brier scores");
            assertTrue(challenger.getBrierDifferenceLower() <= challenger.getBrierDifference()
                    && challenger.getBrierDifference() <= challenger.getBrierDifferenceUpper(), challenger.getReason());
            assertEquals(2, registry.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(lr).build())
                    .getVersionsCount());

            // The learned gate's model for an ensemble of the logistic regression and the boosted trees registered
            // above, trained as the backtest trains it in each fold; served by model-service as that ensemble's meta
            // model, it answers what the same model fitted here answers.
            String gate = "gate-" + suffix;
            List<ModelTrainingConfig> members = List.of(
                    ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION).build(),
                    ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES).build());
            TrainingResult metaResult = train(service, spec(series, gate, ModelKind.MODEL_KIND_LOGISTIC_REGRESSION,
                    RegistrationPolicy.REGISTRATION_POLICY_IF_BETTER).toBuilder()
                    .setMeta(MetaModelTraining.newBuilder().addAllMembers(members)).build());
            assertEquals(TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED, metaResult.getState(), metaResult.getReason());
            assertTrue(metaResult.getRegistered(), metaResult.getReason());
            ModelVersion gateVersion = registry.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(gate)
                    .build()).getVersions(0);
            assertEquals(MetaGate.inputNames(validation.featureNames()), gateVersion.getInputFeatureNamesList());
            String[] weights = gateVersion.getTrainingMetadataOrThrow("member_weights").split(",");
            assertEquals(2, weights.length);
            try (LiveMetaModel.Fitted local = LiveMetaModel.fit(split.train(), validation, List.of(
                    ModelSettings.of(members.get(0), "m"), ModelSettings.of(members.get(1), "m")),
                    ModelSettings.of(members.get(0), "meta"), SEED, ProgressListener.NONE)) {
                assertEquals(Double.parseDouble(weights[0]), local.weights()[0], 1e-12);
                LiveMetaModel.Rows rows = local.validation();
                double[] expected = local.model().predict(rows.x(), rows.rows());
                for (int r = 0; r < rows.rows(); r += 53) {
                    NamedFeatures.Builder named = NamedFeatures.newBuilder();
                    for (int j = 0; j < rows.width(); j++) {
                        named.putValues(gateVersion.getInputFeatureNames(j), rows.x()[r * rows.width() + j]);
                    }
                    double served = registry.predict(PredictRequest.newBuilder()
                            .setTarget(PredictionTarget.newBuilder().setModel(ref(gate, 1)))
                            .setInput(PredictionInput.newBuilder().setNamedFeatures(named)).build()).getEnsembleProbability();
                    assertEquals(expected[r], served, 1e-5, "meta row " + r + ": served = in-process");
                }

                registry.activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(gate).setVersion(1)
                        .setReason("learned gate for TrainingIT").build());
                // the logistic regression v1 is ACTIVE since the champion check above
                registry.activateModelVersion(ActivateModelVersionRequest.newBuilder()
                        .setModelName("gradient-boosted-trees-" + suffix).setVersion(1).setReason("member for TrainingIT").build());
                registry.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(EnsembleDefinition.newBuilder()
                        .setName("gated-" + suffix)
                        .addMembers(EnsembleMember.newBuilder().setModelName("logistic-regression-" + suffix).setVersion(1))
                        .addMembers(EnsembleMember.newBuilder().setModelName("gradient-boosted-trees-" + suffix).setVersion(1))
                        .setMetaModel(ref(gate, 1))).build());
                for (int r = 0; r < validation.rows(); r += 97) {
                    Prediction p = registry.predict(PredictRequest.newBuilder()
                            .setTarget(PredictionTarget.newBuilder().setEnsembleName("gated-" + suffix))
                            .setInput(row(validation, r)).build());
                    assertTrue(p.hasMetaProbability(), "the ensemble answers its learned gate: " + p);
                    double[] in = new double[rows.width()];
                    MetaGate.fillInputs(p.getEnsembleProbability(), p.getAgreement(), validation.x(), r * validation.cols(),
                            validation.cols(), in, 0);
                    assertEquals(local.model().predict(in, 1)[0], p.getMetaProbability(), 1e-5, "row " + r);
                }
            }
        } finally {
            try (var files = Files.walk(historyRoot)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static TrainingSpec spec(String series, String model, ModelKind kind, RegistrationPolicy registration) {
        return TrainingSpec.newBuilder()
                .setModelName(model)
                .setModel(ModelTrainingConfig.newBuilder().setKind(kind))
                .addSeriesIds(series)
                .setLabel(LabelSpec.newBuilder().setThresholdEvent(ThresholdEventLabel.newBuilder()
                        .setHorizonObservations(4).setTrailingWindowObservations(336).setPercentile(90)))
                .setRegistration(registration)
                .setSeed(SEED)
                .setDescription("TrainingIT " + kind)
                .build();
    }

    private static TrainingResult train(OptimizerServiceGrpc.OptimizerServiceBlockingStub service, TrainingSpec spec) {
        Iterator<TrainingUpdate> updates = service.withDeadlineAfter(120, TimeUnit.SECONDS)
                .runTraining(RunTrainingRequest.newBuilder().setSpec(spec).build());
        TrainingUpdate last = null;
        int progress = 0;
        while (updates.hasNext()) {
            last = updates.next();
            if (last.hasProgress()) {
                progress++;
            }
        }
        assertTrue(progress >= 5, "several progress messages before the result");
        assertTrue(last != null && last.hasResult());
        return last.getResult();
    }

    /** Imports the bundled electricity demand through a packaged optimizer-service (also for the study ITs). */
    public static ImportHistoryResponse importElectricity(ServiceProcess optimizer, String series) throws Exception {
        byte[] csv;
        try (InputStream in = TrainingIT.class.getResourceAsStream("/data/taylor_electricity_halfhourly.csv")) {
            csv = in.readAllBytes();
        }
        return ClientStreams.call(OptimizerServiceGrpc.newStub(optimizer.channel).withDeadlineAfter(60, TimeUnit.SECONDS)::importHistory,
                List.of(ImportHistoryRequest.newBuilder().setSpec(ImportHistorySpec.newBuilder().setSeriesId(series)
                                .setHasHeader(true).setSizeBytes(csv.length)
                                .setColumns(CsvColumnMapping.newBuilder().setTimeColumn("datetime_local").setTimeZone("Europe/London")
                                        .setValueColumn("demand_mw"))).build(),
                        ImportHistoryRequest.newBuilder().setChunk(ByteString.copyFrom(csv)).build()),
                60);
    }

    private static PredictionInput row(Dataset d, int r) {
        FeatureVector.Builder v = FeatureVector.newBuilder().setSeriesId("it").setSchemaId(d.featureSchemaId())
                .setTsMicros(d.tsMicros()[r]).setWarm(true);
        for (int j = 0; j < d.cols(); j++) {
            v.addValues(d.x()[r * d.cols() + j]);
        }
        return PredictionInput.newBuilder().setFeatures(v).build();
    }

    private static ModelVersionRef ref(String model, int version) {
        return ModelVersionRef.newBuilder().setModelName(model).setVersion(version).build();
    }

}
