package dev.arbiter.model.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.model.TrainedModels;
import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionTarget;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import dev.arbiter.model.repository.EnsembleEntity;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A replica that missed change notifications (pub/sub delivers at most once) converges on the stored state at its next
 * reconcile: another replica's redefinition of an ensemble (written to PostgreSQL, no notification here) and its
 * weight updates (written to Redis) are served after {@link ModelLifecycle#reconcile}, and not before.
 */
@QuarkusTest
class ReconcileTest {

    @GrpcClient("models")
    ModelServiceBlockingStub models;

    @GrpcClient("models")
    MutinyModelServiceStub mutiny;

    @Inject
    ModelLifecycle lifecycle;

    @Inject
    EnsembleService ensembles;

    @Inject
    RedisDataSource redis;

    @Inject
    ModelServiceConfig config;

    ModelVersion uploadAndActivate(String name, ModelFormat format, byte[] bytes) {
        ModelVersion v = mutiny.uploadModel(Multi.createFrom().iterable(
                        TrainedModels.upload(TrainedModels.metadata(name, format, bytes).build(), bytes, 1 << 16)))
                .await().atMost(Duration.ofSeconds(60));
        lifecycle.activate(new VersionKey(name, v.getVersion()), "test");
        return v;
    }

    Prediction predict(String ensemble) {
        return models.predict(PredictRequest.newBuilder().setTarget(PredictionTarget.newBuilder().setEnsembleName(ensemble))
                .setInput(TrainedModels.row(new Random(4))).build());
    }

    @Test
    void aReplicaThatMissedChangesServesThemAfterItsNextReconcile() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        ModelVersion gbt = uploadAndActivate("gbt-" + suffix, ModelFormat.MODEL_FORMAT_XGBOOST_JSON, TrainedModels.xgboostJson());
        ModelVersion lr = uploadAndActivate("lr-" + suffix, ModelFormat.MODEL_FORMAT_ONNX, TrainedModels.logisticOnnx());
        String name = "reconcile-" + suffix;
        models.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(EnsembleDefinition.newBuilder().setName(name)
                .addMembers(EnsembleMember.newBuilder().setModelName(gbt.getModelName()).setVersion(1))
                .addMembers(EnsembleMember.newBuilder().setModelName(lr.getModelName()).setVersion(1))).build());
        Prediction before = predict(name);
        assertEquals(2, before.getMembersCount());
        assertEquals(0.5, before.getMembers(0).getWeight(), 1e-12);
        lifecycle.reconcile(); // whatever earlier test classes left behind this replica's back
        assertEquals(0, lifecycle.reconcile(), "nothing to repair now");

        // Another replica redefines the ensemble (PostgreSQL) and applies outcomes (Redis); the notifications are lost.
        // (written as EnsembleService.persist writes it: EnsembleService.define would also update this replica's cache)
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> {
            EnsembleEntity e = EnsembleEntity.byNameForUpdate(name).orElseThrow();
            e.members = Json.write(List.of(new EnsembleService.StoredMember(gbt.getModelName(), 1, 0, 0),
                    new EnsembleService.StoredMember(lr.getModelName(), 1, 0.3, 0)));
            e.revision += 1;
            e.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        });
        redis.hash(String.class).hset(config.redisPrefix() + "weights:" + name, Map.of(
                gbt.getModelName() + ":1:s", "0.9", lr.getModelName() + ":1:s", "0.1", "outcomes", "7"));
        Prediction stale = predict(name);
        assertEquals(0.5, stale.getMembers(0).getWeight(), 1e-12, "this replica still serves what it had");

        int repaired = lifecycle.reconcile();
        assertTrue(repaired >= 2, "the plan and the weights were out of date: " + repaired);
        Prediction after = predict(name);
        assertEquals(2, after.getMembersCount());
        assertEquals(0.9, after.getMembers(0).getWeight(), 1e-12, "the other replica's weights");
        assertEquals(0.1, after.getMembers(1).getWeight(), 1e-12);
        assertEquals(name + ":7", after.getWeightsSnapshotId());
        assertEquals(2, ensembles.cached(name).revision(), "the other replica's revision");
        assertEquals(0.3, ensembles.cached(name).members().get(1).initialWeight(), 0.0);
    }
}
