package dev.arbiter.decision.testing;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.proto.v1.EnsembleWeights;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.PredictionOutcomeStatus;
import dev.arbiter.proto.v1.ReportPredictionOutcomeRequest;
import dev.arbiter.proto.v1.ReportPredictionOutcomeResponse;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stand-ins for the two parts of feature-service and model-service that the policy, outcome and replay code call
 * (GetFeatureSchema, ReportPredictionOutcome), on one real gRPC port, each switchable "down" (UNAVAILABLE). The
 * decide path's own tests use the real services.
 */
public final class FakeDependencies implements AutoCloseable {

    /** The engine's default feature schema, as feature-service serves it. */
    public static final dev.arbiter.engine.features.FeatureSchema ENGINE_SCHEMA =
            dev.arbiter.engine.features.FeatureSchema.of(FeatureConfig.defaults());

    public volatile boolean featuresDown;
    public volatile boolean modelsDown;
    /** Outcomes model-service received, by decision id. */
    public final List<ReportPredictionOutcomeRequest> outcomes = new CopyOnWriteArrayList<>();
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private final AtomicInteger snapshots = new AtomicInteger();
    private final Server server;

    public FakeDependencies() {
        try {
            server = ServerBuilder.forPort(0)
                    .addService(new Features())
                    .addService(new Models())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public static FeatureSchema schema() {
        return FeatureSchema.newBuilder()
                .setSchemaId(ENGINE_SCHEMA.id())
                .setVersion(ENGINE_SCHEMA.version())
                .addAllNames(ENGINE_SCHEMA.names())
                .putAllParameters(ENGINE_SCHEMA.parameters())
                .build();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private final class Features extends FeatureServiceGrpc.FeatureServiceImplBase {
        @Override
        public void getFeatureSchema(GetFeatureSchemaRequest request, StreamObserver<FeatureSchema> response) {
            if (featuresDown) {
                response.onError(Status.UNAVAILABLE.withDescription("fake feature-service is down").asRuntimeException());
                return;
            }
            response.onNext(schema());
            response.onCompleted();
        }
    }

    private final class Models extends ModelServiceGrpc.ModelServiceImplBase {
        @Override
        public void reportPredictionOutcome(ReportPredictionOutcomeRequest request, StreamObserver<ReportPredictionOutcomeResponse> response) {
            if (modelsDown) {
                response.onError(Status.UNAVAILABLE.withDescription("fake model-service is down").asRuntimeException());
                return;
            }
            outcomes.add(request);
            boolean first = applied.add(request.getDecisionId());
            response.onNext(ReportPredictionOutcomeResponse.newBuilder()
                    .setStatus(first ? PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED : PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_DUPLICATE)
                    .setWeights(EnsembleWeights.newBuilder().setEnsembleName("fake").setWeightsSnapshotId("snapshot-" + snapshots.incrementAndGet()))
                    .build());
            response.onCompleted();
        }
    }
}
