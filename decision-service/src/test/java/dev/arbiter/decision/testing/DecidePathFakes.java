package dev.arbiter.decision.testing;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.IngestOutcome;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.MemberPrediction;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.Prediction;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * feature-service and model-service as decision-service's decide path calls them (Ingest, GetFeatureSchema, Predict),
 * on one real gRPC port, with behaviour a test can switch: answer, hang (hold the call
 * unanswered, so only the caller's deadline ends it) or be down (UNAVAILABLE).
 * Features are the engine's own FeaturePipeline, with feature-service's ordering and duplicate rules; the
 * ensemble's probability is whatever the test sets. Left for DegradationTest, which switches a dependency per call to
 * hang or be down and counts the calls an open circuit saves; the other in-process tests use the real services
 * ({@link RealDependenciesProfile}), and the integration tests pause and kill them.
 */
public final class DecidePathFakes implements AutoCloseable {

    /** What a fake does with a call. */
    public enum Mode { ANSWER, HANG, DOWN }

    public static final dev.arbiter.engine.features.FeatureSchema ENGINE_SCHEMA =
            dev.arbiter.engine.features.FeatureSchema.of(FeatureConfig.defaults());

    public volatile Mode features = Mode.ANSWER;
    public volatile Mode models = Mode.ANSWER;
    /** Ensemble probability of the next predictions. */
    public volatile double probability = 0.8;
    /** Ensemble agreement of the next predictions. */
    public volatile double agreement = 1.0;
    public final AtomicInteger predictCalls = new AtomicInteger();

    private final Map<String, Series> series = new HashMap<>();
    private final List<StreamObserver<?>> held = new CopyOnWriteArrayList<>();
    private final Server server;

    public DecidePathFakes() {
        try {
            server = ServerBuilder.forPort(0).addService(new Features()).addService(new Models()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /**
     * The application's configuration that points both clients at these fakes, with a Redis prefix of its own. The
     * test ports too: in test mode a client of localhost otherwise follows the application's own test port.
     */
    public Map<String, String> wiring(String redisPrefix) {
        String port = String.valueOf(port());
        return Map.of(
                "quarkus.grpc.clients.features.host", "127.0.0.1",
                "quarkus.grpc.clients.features.port", port,
                "quarkus.grpc.clients.features.test-port", port,
                "quarkus.grpc.clients.models.host", "127.0.0.1",
                "quarkus.grpc.clients.models.port", port,
                "quarkus.grpc.clients.models.test-port", port,
                "arbiter.decision.redis-prefix", redisPrefix);
    }

    /** Back to answering everything; held calls are released (as CANCELLED, their callers have long given up). */
    public void reset() {
        features = Mode.ANSWER;
        models = Mode.ANSWER;
        probability = 0.8;
        agreement = 1.0;
        releaseHeld();
    }

    public void releaseHeld() {
        for (StreamObserver<?> o : held) {
            try {
                o.onError(Status.CANCELLED.withDescription("released by the test").asRuntimeException());
            } catch (RuntimeException ignored) {
                // the caller's deadline already closed the call
            }
        }
        held.clear();
    }

    @Override
    public void close() throws InterruptedException {
        releaseHeld();
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Returns true when the call was handled by the mode (held or failed) and must not be answered. */
    private boolean intercept(Mode mode, StreamObserver<?> response, String who) {
        if (mode == Mode.HANG) {
            held.add(response);
            return true;
        }
        if (mode == Mode.DOWN) {
            response.onError(Status.UNAVAILABLE.withDescription("fake " + who + " is down").asRuntimeException());
            return true;
        }
        return false;
    }

    private static final class Series {
        final FeaturePipeline pipeline = new FeaturePipeline(FeatureConfig.defaults());
        final double[] values = new double[pipeline.size()];
        Observation last;

        FeatureVector vector(String id) {
            FeatureVector.Builder b = FeatureVector.newBuilder().setSeriesId(id).setTsMicros(pipeline.lastTsMicros())
                    .setSchemaId(ENGINE_SCHEMA.id()).setWarm(pipeline.warm()).setObservationCount(pipeline.count());
            for (double v : values) {
                b.addValues(v);
            }
            return b.build();
        }
    }

    private final class Features extends FeatureServiceGrpc.FeatureServiceImplBase {
        @Override
        public void ingest(IngestRequest request, StreamObserver<IngestResponse> response) {
            if (intercept(features, response, "feature-service")) {
                return;
            }
            Observation o = request.getObservation();
            IngestResponse answer;
            synchronized (series) {
                Series s = series.computeIfAbsent(o.getSeriesId(), id -> new Series());
                long last = s.pipeline.lastTsMicros();
                if (s.last != null && o.getTsMicros() == last) {
                    if (!o.equals(s.last)) {
                        response.onError(Status.ALREADY_EXISTS.withDescription("observation.ts_micros " + o.getTsMicros()
                                + " of series \"" + o.getSeriesId() + "\" was already ingested with different values; send each timestamp once")
                                .asRuntimeException());
                        return;
                    }
                    answer = IngestResponse.newBuilder().setOutcome(IngestOutcome.INGEST_OUTCOME_DUPLICATE).setFeatures(s.vector(o.getSeriesId())).build();
                } else if (s.last != null && o.getTsMicros() < last) {
                    response.onError(Status.INVALID_ARGUMENT.withDescription("observation.ts_micros " + o.getTsMicros() + " of series \""
                            + o.getSeriesId() + "\" is older than the series' last (" + last + "); send observations in time order")
                            .asRuntimeException());
                    return;
                } else {
                    s.pipeline.update(o.getTsMicros(), o.hasOpen() ? o.getOpen() : Double.NaN, o.hasHigh() ? o.getHigh() : Double.NaN,
                            o.hasLow() ? o.getLow() : Double.NaN, o.getValue(), o.hasVolume() ? o.getVolume() : Double.NaN, s.values, 0);
                    s.last = o;
                    answer = IngestResponse.newBuilder().setOutcome(IngestOutcome.INGEST_OUTCOME_ACCEPTED).setFeatures(s.vector(o.getSeriesId())).build();
                }
            }
            response.onNext(answer);
            response.onCompleted();
        }

        @Override
        public void getFeatureSchema(GetFeatureSchemaRequest request, StreamObserver<FeatureSchema> response) {
            if (intercept(features, response, "feature-service")) {
                return;
            }
            response.onNext(Decisions.featureSchema());
            response.onCompleted();
        }
    }

    private final class Models extends ModelServiceGrpc.ModelServiceImplBase {
        @Override
        public void predict(PredictRequest request, StreamObserver<Prediction> response) {
            predictCalls.incrementAndGet();
            if (intercept(models, response, "model-service")) {
                return;
            }
            double p = probability;
            FeatureVector v = request.getInput().getFeatures();
            response.onNext(Prediction.newBuilder()
                    .setPredictionId(UUID.randomUUID().toString())
                    .addMembers(MemberPrediction.newBuilder().setModelName("fake-a").setVersion(1).setProbability(p).setWeight(0.5))
                    .addMembers(MemberPrediction.newBuilder().setModelName("fake-b").setVersion(2).setProbability(p).setWeight(0.5))
                    .setEnsembleProbability(p)
                    .setAgreement(agreement)
                    .addModelVersions(ModelVersionRef.newBuilder().setModelName("fake-a").setVersion(1))
                    .addModelVersions(ModelVersionRef.newBuilder().setModelName("fake-b").setVersion(2))
                    .setWeightsSnapshotId("fake-snapshot")
                    .setEnsembleName("fake")
                    .setEnsembleRevision(3)
                    .setSeriesId(v.getSeriesId())
                    .setTsMicros(v.getTsMicros())
                    .setFeatureSchemaId(v.getSchemaId())
                    .build());
            response.onCompleted();
        }
    }
}
