package dev.arbiter.model.it;

import static dev.arbiter.testing.RefusalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeatureSchema;
import dev.arbiter.model.TrainedModels;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Integration test (packaged feature-service and model-service processes, real PostgreSQL and Redis): feature-service
 * owns the feature schema. model-service checks uploads against the schema a feature-service with non-default
 * volatility windows (15, 30, 60) serves, not against its own defaults; when feature-service comes back on the same
 * address with other windows, model-service follows: a model trained on the old windows is refused a vector of the new
 * schema naming both schema ids, an upload reading the old windows is refused, and vectors of the old schema still map.
 */
class FeatureSchemaIT {

    static final Map<String, String> WIDE_WINDOWS = Map.of("arbiter.features.windows.volatility", "15,30,60");

    @Test
    void modelServiceChecksAgainstTheSchemaFeatureServiceServesAndFollowsItsChanges() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        ServiceProcess features = startFeatures(run, WIDE_WINDOWS);
        Map<String, String> modelConfig = new HashMap<>(TrainedModels.processConfig(true));
        modelConfig.put("quarkus.grpc.clients.features.host", "127.0.0.1");
        modelConfig.put("quarkus.grpc.clients.features.port", Integer.toString(features.grpcPort));
        modelConfig.put("arbiter.features.schema-refresh", "0s"); // ask at every upload, so the test needs no wait
        try (ServiceProcess models = ServiceProcess.start("model-service.runner", "schema-it-model-service", modelConfig)) {
            ModelServiceBlockingStub registry = ModelServiceGrpc.newBlockingStub(models.channel);
            dev.arbiter.proto.v1.FeatureSchema wide = FeatureServiceGrpc.newBlockingStub(features.channel)
                    .getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance());
            assertTrue(wide.getNamesList().contains("vol_30"), wide.getNamesList().toString());
            String defaults = FeatureSchema.of(FeatureConfig.defaults()).id();

            // A model reading vol_15/30/60 is accepted: model-service checked it against feature-service's schema.
            List<String> wideInputs = wide.getNamesList().stream().sorted().limit(20).toList();
            assertTrue(wideInputs.contains("vol_60"), wideInputs.toString());
            byte[] xgboost = TrainedModels.xgboostJson();
            ModelVersion v1 = upload(models, metadata("wide-" + run, wideInputs, xgboost), xgboost);
            assertEquals(wide.getSchemaId(), v1.getFeatureSchemaId());

            // One trained on the default windows names its schema, and is refused naming both.
            StatusRuntimeException trainedElsewhere = refused(Status.Code.INVALID_ARGUMENT, "metadata.feature_schema_id",
                    () -> upload(models, metadata("narrow-" + run, TrainedModels.INPUTS, xgboost).setFeatureSchemaId(defaults), xgboost));
            assertBoth(trainedElsewhere, defaults, wide.getSchemaId());

            registry.activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(v1.getModelName()).setVersion(1).build());
            String ensemble = "wide-" + run;
            registry.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(EnsembleDefinition.newBuilder().setName(ensemble)
                    .addMembers(EnsembleMember.newBuilder().setModelName(v1.getModelName()).setVersion(1))).build());
            FeatureVector wideVector = warmVector(features, "series-" + run);
            assertEquals(wide.getSchemaId(), wideVector.getSchemaId());
            Prediction p = registry.predict(predict(ensemble, wideVector));
            assertTrue(p.getEnsembleProbability() > 0 && p.getEnsembleProbability() < 1, p.toString());

            // feature-service comes back on the same address with the default windows.
            int port = features.grpcPort;
            features.stop();
            Map<String, String> samePort = new HashMap<>();
            samePort.put("quarkus.grpc.server.port", Integer.toString(port));
            features = startFeatures(run + "-b", samePort);
            FeatureVector defaultVector = warmVector(features, "series-" + run);
            assertEquals(defaults, defaultVector.getSchemaId());

            // The model trained on the wide windows is refused the new vectors, naming both schemas ...
            StatusRuntimeException otherWindows = refused(Status.Code.FAILED_PRECONDITION, "input.features.schema_id",
                    () -> registry.predict(predict(ensemble, defaultVector)));
            assertBoth(otherWindows, wide.getSchemaId(), defaults);
            // ... an upload reading the wide windows now is too, against the schema served now ...
            StatusRuntimeException gone = refused(Status.Code.INVALID_ARGUMENT, "metadata.input_feature_names",
                    () -> upload(models, metadata("wide2-" + run, wideInputs, xgboost), xgboost));
            assertTrue(gone.getStatus().getDescription().contains(defaults) && gone.getStatus().getDescription().contains("vol_30"),
                    gone.getStatus().getDescription());
            // ... while vectors of the schema it was registered against still map to its inputs.
            assertEquals(p.getEnsembleProbability(), registry.predict(predict(ensemble, wideVector)).getEnsembleProbability(), 0.0);
            // A model trained on the served windows is accepted again.
            ModelVersion narrow = upload(models, metadata("narrow-" + run, TrainedModels.INPUTS, xgboost).setFeatureSchemaId(defaults), xgboost);
            assertEquals(defaults, narrow.getFeatureSchemaId());
        } finally {
            features.close();
        }
    }

    private static ServiceProcess startFeatures(String run, Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(Map.of(
                "arbiter.features.snapshot.key-prefix", "arbiter-it:schema:" + run + ":",
                "arbiter.features.snapshot.ttl", "10m"));
        config.putAll(extra);
        return ServiceProcess.start("feature-service.runner", "schema-it-feature-service", config);
    }

    /** Uploads; a refusal is thrown as the server's status. */
    private static ModelVersion upload(ServiceProcess models, UploadModelMetadata.Builder metadata, byte[] bytes) throws Exception {
        try {
            return TrainedModels.upload(models.channel, metadata.build(), bytes);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StatusRuntimeException s ? s : e;
        }
    }

    private static UploadModelMetadata.Builder metadata(String name, List<String> inputs, byte[] bytes) {
        return TrainedModels.metadata(name, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, bytes).clearInputFeatureNames().addAllInputFeatureNames(inputs);
    }

    /** 120 hourly observations of a seeded walk: enough to fill every window of both schemas. */
    private static FeatureVector warmVector(ServiceProcess features, String series) {
        FeatureServiceBlockingStub stub = FeatureServiceGrpc.newBlockingStub(features.channel);
        java.util.Random random = new java.util.Random(7);
        double value = 100;
        FeatureVector last = null;
        for (int i = 0; i < 120; i++) {
            value *= Math.exp(0.01 * random.nextGaussian());
            last = stub.ingest(IngestRequest.newBuilder().setObservation(Observation.newBuilder().setSeriesId(series)
                    .setTsMicros(1_600_000_000_000_000L + i * 3_600_000_000L).setValue(value)).build()).getFeatures();
        }
        assertTrue(last.getWarm(), "120 observations fill every window");
        return last;
    }

    private static PredictRequest predict(String ensemble, FeatureVector v) {
        return PredictRequest.newBuilder().setTarget(PredictionTarget.newBuilder().setEnsembleName(ensemble))
                .setInput(PredictionInput.newBuilder().setFeatures(v)).build();
    }

    private static void assertBoth(StatusRuntimeException e, String first, String second) {
        String message = e.getStatus().getDescription();
        assertTrue(message.contains(first) && message.contains(second), "names both schema ids: " + message);
    }
}
