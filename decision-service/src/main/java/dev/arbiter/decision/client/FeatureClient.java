package dev.arbiter.decision.client;

import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.proto.v1.DegradedCause;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceStub;
import io.grpc.Channel;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.service.Answer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * feature-service as the decide path calls it: Ingest and GetFeatureSchema, asynchronous, each with a deadline
 * and behind one circuit breaker. Schemas are immutable per schema_id, so each is fetched once and kept. With
 * {@code arbiter.decision.replicas.features} set, each observation goes to the replica its series belongs to by
 * rendezvous hashing ({@link ReplicaChannels}); otherwise to the one address of {@code quarkus.grpc.clients.features}.
 */
@ApplicationScoped
public class FeatureClient {

    public static final String NAME = "feature-service";

    private final FeatureServiceStub stub;
    private final ReplicaChannels replicas;
    private final DependencyGuard guard;
    private final ConcurrentHashMap<String, FeatureSchema> schemas = new ConcurrentHashMap<>();

    public FeatureClient(@GrpcClient("features") Channel channel, DecisionConfig config, MeterRegistry registry) {
        this.replicas = config.replicas().features()
                .map(source -> ReplicaChannels.sharded(NAME, source, config.replicas().refresh(), registry))
                .orElse(null);
        this.stub = stub(channel);
        this.guard = new DependencyGuard(NAME, config, registry);
    }

    private static FeatureServiceStub stub(Channel channel) {
        // answers are handled on the transport thread: the path only completes futures there and moves anything
        // that may block to a worker, so a hop to another executor would only add latency
        return FeatureServiceGrpc.newStub(channel).withExecutor(Runnable::run);
    }

    /** The replica {@code seriesId} belongs to, or the one feature-service. */
    private FeatureServiceStub stubFor(String seriesId) {
        return replicas == null ? stub : stub(replicas.forKey(seriesId));
    }

    @PreDestroy
    void close() {
        if (replicas != null) {
            replicas.close();
        }
    }

    public DependencyGuard guard() {
        return guard;
    }

    /**
     * Ingests one observation with a deadline of whatever is left until {@code endNanos}.
     *
     * @return the response; fails with {@link DependencyFailure} when feature-service gave none, or with the
     *     StatusRuntimeException when it refused the observation
     */
    public CompletableFuture<IngestResponse> ingest(Observation observation, long endNanos) {
        IngestRequest request = IngestRequest.newBuilder().setObservation(observation).build();
        return guard.call(endNanos, deadline -> {
            Answer<IngestResponse> call = new Answer<>();
            stubFor(observation.getSeriesId()).withDeadlineAfter(deadline, TimeUnit.NANOSECONDS).ingest(request, call);
            return call;
        });
    }

    /** The schema named {@code schemaId}: from memory, or asked of feature-service once. */
    public CompletableFuture<FeatureSchema> schema(String schemaId, long endNanos) {
        FeatureSchema known = schemas.get(schemaId);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return guard.<FeatureSchema>call(endNanos, deadline -> {
            Answer<FeatureSchema> call = new Answer<>();
            // every replica serves the same schema: ask the first one now
            (replicas == null ? stub : stub(replicas.balanced())).withDeadlineAfter(deadline, TimeUnit.NANOSECONDS).getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance(), call);
            return call;
        }).thenApply(s -> {
            schemas.putIfAbsent(s.getSchemaId(), s);
            if (!s.getSchemaId().equals(schemaId)) {
                throw new DependencyFailure(DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE, NAME + ": features came with schema " + schemaId + " but the service now serves "
                        + s.getSchemaId() + " (it was reconfigured mid-request); retry", false, null);
            }
            return s;
        });
    }
}
