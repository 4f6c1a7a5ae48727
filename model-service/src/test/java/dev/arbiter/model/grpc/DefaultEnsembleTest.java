package dev.arbiter.model.grpc;

import static dev.arbiter.model.grpc.BadInput.activate;
import static dev.arbiter.model.grpc.BadInput.define;
import static dev.arbiter.model.grpc.BadInput.refused;
import static dev.arbiter.model.grpc.BadInput.suffix;
import static dev.arbiter.model.grpc.BadInput.upload;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.model.TrainedModels;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import dev.arbiter.proto.v1.PredictRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Predict without a target when the configured default ensemble is not defined: the refusal names those that are. */
@QuarkusTest
@TestProfile(DefaultEnsembleTest.UndefinedDefault.class)
class DefaultEnsembleTest {

    /** A default ensemble name no test defines. */
    public static class UndefinedDefault implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("arbiter.models.default-ensemble", "never-defined-default");
        }
    }

    @GrpcClient("models")
    ModelServiceBlockingStub models;

    @GrpcClient("models")
    MutinyModelServiceStub mutiny;

    @Test
    void predictWithoutTargetNamesTheDefinedEnsembles() throws Exception {
        String name = "default-probe-" + suffix();
        ModelVersion v = activate(models, upload(mutiny, name, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson()));
        define(models, name, v);
        StatusRuntimeException e = refused(Status.Code.NOT_FOUND, "target",
                () -> models.predict(PredictRequest.newBuilder().setInput(PredictBadInputTest.row(1)).build()));
        String message = e.getStatus().getDescription();
        assertTrue(message.contains("default ensemble \"never-defined-default\" is not defined"), message);
        assertTrue(message.contains("target.ensemble_name"), message);
        assertTrue(message.contains(name) || message.contains("in all"), message);
    }
}
