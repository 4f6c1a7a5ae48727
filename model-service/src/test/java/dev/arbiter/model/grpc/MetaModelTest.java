package dev.arbiter.model.grpc;

import static dev.arbiter.model.grpc.BadInput.activate;
import static dev.arbiter.model.grpc.BadInput.ensemble;
import static dev.arbiter.model.grpc.BadInput.invalid;
import static dev.arbiter.model.grpc.BadInput.member;
import static dev.arbiter.model.grpc.BadInput.refused;
import static dev.arbiter.model.grpc.BadInput.suffix;
import static dev.arbiter.model.grpc.BadInput.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.model.TrainedModels;
import dev.arbiter.model.runtime.SklearnStyleOnnx;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.GetEnsembleRequest;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import dev.arbiter.proto.v1.NamedFeatures;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.proto.v1.RetireModelVersionRequest;
import dev.arbiter.proto.v1.UploadModelMetadata;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The learned gate served like any other model: a meta model reads the ensemble's own outputs (MetaGate.INPUTS) and
 * features by name, hangs off an ensemble as its meta_model, and Predict answers its probability; every misuse is
 * refused on the field at fault.
 */
@QuarkusTest
class MetaModelTest {

    @GrpcClient("models")
    ModelServiceBlockingStub models;

    @GrpcClient("models")
    MutinyModelServiceStub mutiny;

    /** Weights of the meta model over MetaGate.INPUTS, then the two features it reads. */
    static final float[] W = {0.8f, 2.5f, 1.2f, -0.3f, 0.15f, -0.4f};
    static final float B = -1.1f;

    List<String> metaInputs() {
        List<String> names = new ArrayList<>(MetaGate.INPUTS);
        names.add(TrainedModels.INPUTS.get(0));
        names.add(TrainedModels.INPUTS.get(5));
        return names;
    }

    ModelVersion metaModel(String name) {
        byte[] bytes = SklearnStyleOnnx.logisticRegression(W, B);
        UploadModelMetadata metadata = TrainedModels.metadata(name, ModelFormat.MODEL_FORMAT_ONNX, bytes)
                .clearInputFeatureNames().addAllInputFeatureNames(metaInputs())
                .setOnnxOutputName("probabilities").setOnnxPositiveClassIndex(1).build();
        return activate(models, upload(mutiny, metadata, bytes));
    }

    static ModelVersionRef ref(ModelVersion v) {
        return ModelVersionRef.newBuilder().setModelName(v.getModelName()).setVersion(v.getVersion()).build();
    }

    EnsembleDefinition define(EnsembleDefinition.Builder d) {
        return models.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(d).build());
    }

    @Test
    void predictAnswersTheMetaModelsProbabilityOverTheEnsemblesOutputsAndTheFeatures() throws Exception {
        String s = suffix();
        ModelVersion xgb = activate(models, upload(mutiny, "meta-xgb-" + s, ModelFormat.MODEL_FORMAT_XGBOOST_JSON,
                TrainedModels.xgboostJson()));
        ModelVersion logistic = activate(models, upload(mutiny, "meta-logreg-" + s, ModelFormat.MODEL_FORMAT_ONNX,
                TrainedModels.logisticOnnx()));
        ModelVersion meta = metaModel("meta-gate-" + s);
        String name = "meta-ens-" + s;
        EnsembleDefinition defined = define(ensemble(name, xgb, logistic).setMetaModel(ref(meta)));
        assertEquals(ref(meta), defined.getMetaModel());
        assertEquals(ref(meta), models.getEnsemble(GetEnsembleRequest.newBuilder().setName(name).build()).getMetaModel());

        Random random = new Random(5);
        double lowest = 1;
        double highest = 0;
        for (int i = 0; i < 20; i++) {
            PredictionInput input = TrainedModels.row(random);
            Prediction p = models.predict(PredictRequest.newBuilder()
                    .setTarget(PredictionTarget.newBuilder().setEnsembleName(name)).setInput(input).build());
            assertTrue(p.hasMetaProbability(), "an ensemble with a meta model answers its probability");
            double[] x = new double[W.length];
            MetaGate.fillInputs(p.getEnsembleProbability(), p.getAgreement(), x, 0, 0, x, 0);
            Map<String, Double> values = input.getNamedFeatures().getValuesMap();
            x[4] = values.get(TrainedModels.INPUTS.get(0));
            x[5] = values.get(TrainedModels.INPUTS.get(5));
            double z = B;
            for (int k = 0; k < W.length; k++) {
                z += W[k] * (float) x[k];
            }
            assertEquals(1 / (1 + Math.exp(-z)), p.getMetaProbability(), 1e-5, "row " + i);
            lowest = Math.min(lowest, p.getMetaProbability());
            highest = Math.max(highest, p.getMetaProbability());
        }
        assertTrue(highest - lowest > 0.05, "the meta probability follows its inputs: " + lowest + " .. " + highest);

        Prediction plain = models.predict(PredictRequest.newBuilder()
                .setTarget(PredictionTarget.newBuilder().setEnsembleName(define(ensemble("meta-none-" + s, xgb)).getName()))
                .setInput(TrainedModels.row(random)).build());
        assertFalse(plain.hasMetaProbability(), "no meta model, no meta probability");

        // Asked for directly, a meta model takes its ensemble inputs by name.
        NamedFeatures.Builder named = NamedFeatures.newBuilder();
        for (String input : metaInputs()) {
            named.putValues(input, 0.5);
        }
        Prediction direct = models.predict(PredictRequest.newBuilder()
                .setTarget(PredictionTarget.newBuilder().setModel(ref(meta)))
                .setInput(PredictionInput.newBuilder().setNamedFeatures(named)).build());
        double z = B;
        for (float w : W) {
            z += w * 0.5f;
        }
        assertEquals(1 / (1 + Math.exp(-z)), direct.getEnsembleProbability(), 1e-5);

        refused(Status.Code.FAILED_PRECONDITION, "version", name, () -> models.retireModelVersion(RetireModelVersionRequest
                .newBuilder().setModelName(meta.getModelName()).setVersion(meta.getVersion()).setReason("test").build()));
    }

    @Test
    void misusesOfAMetaModelAreRefusedOnTheirField() throws Exception {
        String s = suffix();
        ModelVersion xgb = activate(models, upload(mutiny, "meta-bad-xgb-" + s, ModelFormat.MODEL_FORMAT_XGBOOST_JSON,
                TrainedModels.xgboostJson()));
        ModelVersion meta = metaModel("meta-bad-gate-" + s);
        invalid("ensemble.members[1]", () -> define(ensemble("meta-bad-a-" + s, xgb, meta)));
        invalid("ensemble.meta_model", () -> define(ensemble("meta-bad-b-" + s, xgb).setMetaModel(ref(xgb))));
        invalid("ensemble.meta_model", () -> define(ensemble("meta-bad-c-" + s, xgb, meta).setMetaModel(ref(meta))));
        invalid("ensemble.meta_model.version", () -> define(ensemble("meta-bad-d-" + s, xgb)
                .setMetaModel(ref(meta).toBuilder().setVersion(0))));
        invalid("ensemble.meta_model.model_name", () -> define(ensemble("meta-bad-e-" + s, xgb)
                .setMetaModel(ref(meta).toBuilder().setModelName("Not-Valid"))));
        refused(Status.Code.NOT_FOUND, "ensemble.meta_model", () -> define(ensemble("meta-bad-f-" + s, xgb)
                .setMetaModel(ref(meta).toBuilder().setVersion(7))));
        ModelVersion staged = upload(mutiny, TrainedModels.metadata("meta-bad-staged-" + s, ModelFormat.MODEL_FORMAT_ONNX,
                SklearnStyleOnnx.logisticRegression(W, B)).clearInputFeatureNames().addAllInputFeatureNames(metaInputs())
                .setOnnxOutputName("probabilities").setOnnxPositiveClassIndex(1).build(), SklearnStyleOnnx.logisticRegression(W, B));
        refused(Status.Code.FAILED_PRECONDITION, "ensemble.meta_model", () -> define(ensemble("meta-bad-g-" + s, xgb)
                .setMetaModel(ref(staged))));
        // Asked for directly with a feature vector, a meta model has no ensemble outputs to read.
        refused(Status.Code.INVALID_ARGUMENT, "input.features", "ensemble_probability", () -> models.predict(PredictRequest
                .newBuilder().setTarget(PredictionTarget.newBuilder().setModel(ref(meta)))
                .setInput(PredictBadInputTest.vector(PredictBadInputTest.SCHEMA.id(), PredictBadInputTest.SCHEMA.size())).build()));
        // An upload may name ensemble outputs, but still no name outside the schema and them.
        invalid("metadata.input_feature_names", () -> upload(mutiny, TrainedModels.metadata("meta-bad-h-" + s,
                ModelFormat.MODEL_FORMAT_ONNX, SklearnStyleOnnx.logisticRegression(W, B)).clearInputFeatureNames()
                .addAllInputFeatureNames(List.of("ensemble_probability", "ensemble_mood", "a", "b", "c", "d"))
                .setOnnxOutputName("probabilities").build(), SklearnStyleOnnx.logisticRegression(W, B)));
    }
}
