package dev.arbiter.model.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.model.TrainedModels;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.proto.v1.ReportPredictionOutcomeRequest;
import dev.arbiter.testing.ServiceProcess;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Integration test (two packaged model-service processes, real PostgreSQL and Redis): replica B
 * learns through Redis pub/sub of the changes made on replica A — a redefined ensemble (whose new
 * member B loads and warms up before using it) and weights moved by outcomes.
 */
class ModelReplicasIT {

    static final String RUNNER = "model-service.runner";

    @Test
    void aSecondReplicaFollowsEnsembleAndWeightChangesMadeOnTheFirst() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        try (ServiceProcess a = ServiceProcess.start(RUNNER, "replica-a", TrainedModels.processConfig(true));
                ServiceProcess b = ServiceProcess.start(RUNNER, "replica-b", TrainedModels.processConfig(false))) {
            ModelServiceBlockingStub onA = ModelServiceGrpc.newBlockingStub(a.channel);
            ModelServiceBlockingStub onB = ModelServiceGrpc.newBlockingStub(b.channel);

            String model = "replicated-" + suffix;
            ModelVersion v1 = activate(onA, upload(a, model, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson()));
            String ensemble = "replicated-" + suffix;
            define(onA, ensemble, v1);
            PredictRequest request = PredictRequest.newBuilder()
                    .setTarget(PredictionTarget.newBuilder().setEnsembleName(ensemble))
                    .setInput(TrainedModels.row(new Random(4)))
                    .build();
            assertEquals(1, onB.predict(request).getEnsembleRevision(), "B reads the ensemble once and keeps it");

            ModelVersion v2 = activate(onA, upload(a, model, ModelFormat.MODEL_FORMAT_ONNX, TrainedModels.logisticOnnx()));
            define(onA, ensemble, v1, v2);
            Prediction after = await(onB, request, p -> p.getEnsembleRevision() == 2);
            assertEquals(2, after.getMembersCount(), "B serves the new member, loaded on B after A's change");

            // Outcomes reported on A move the weights B predicts with.
            Prediction onAPrediction = onA.predict(request);
            onA.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder()
                    .setPredictionId(onAPrediction.getPredictionId())
                    .setRealisedPositive(onAPrediction.getMembers(0).getProbability() < 0.5)
                    .build());
            Prediction moved = await(onB, request, p -> !p.getWeightsSnapshotId().equals(after.getWeightsSnapshotId()));
            assertEquals(onA.predict(request).getWeightsSnapshotId(), moved.getWeightsSnapshotId());
        }
    }

    /** Asks B until its answer shows the change; pub/sub delivery is asynchronous, so this is bounded polling, not a sleep. */
    private static Prediction await(ModelServiceBlockingStub stub, PredictRequest request, Predicate<Prediction> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Prediction p = stub.predict(request);
        while (!done.test(p)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("replica B did not see the change within 30 s: " + p);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval
            p = stub.predict(request);
        }
        return p;
    }

    private static ModelVersion upload(ServiceProcess to, String name, ModelFormat format, byte[] bytes) throws Exception {
        return TrainedModels.upload(to.channel, TrainedModels.metadata(name, format, bytes).build(), bytes);
    }

    private static ModelVersion activate(ModelServiceBlockingStub stub, ModelVersion v) {
        return stub.activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(v.getModelName()).setVersion(v.getVersion()).build());
    }

    private static void define(ModelServiceBlockingStub stub, String name, ModelVersion... members) {
        EnsembleDefinition.Builder d = EnsembleDefinition.newBuilder().setName(name);
        for (ModelVersion m : members) {
            d.addMembers(EnsembleMember.newBuilder().setModelName(m.getModelName()).setVersion(m.getVersion()));
        }
        stub.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(d).build());
    }
}
