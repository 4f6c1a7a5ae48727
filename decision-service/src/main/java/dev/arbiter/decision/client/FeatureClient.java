package dev.arbiter.decision.client;

import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.proto.v1.DegradedCause;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceStub;
import dev.arbiter.service.alerts.AlertSender;
import io.grpc.Channel;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.service.Answer;
import io.micrometer.core.instrument.MeterRegistry;
import dev.arbiter.service.auth.CallerToken;
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
    /** The breaker of the one feature-service, or with replicas the breaker of each ({@link #guards}). */
    private final DependencyGuard guard;
    private final ConcurrentHashMap<String, DependencyGuard> guards = new ConcurrentHashMap<>();
    private final DecisionConfig config;
    private final MeterRegistry registry;
    private final AlertSender alerts;
    private final ConcurrentHashMap<String, FeatureSchema> schemas = new ConcurrentHashMap<>();

    public FeatureClient(@GrpcClient("features") Channel channel, DecisionConfig config, MeterRegistry registry,
                       CallerToken identity, AlertSender alerts) {
        this.replicas = config.replicas().features()
                .map(source -> ReplicaChannels.sharded(NAME, source, config.replicas().refresh(), registry, identity))
                .orElse(null);
        this.stub = stub(channel);
        this.config = config;
        this.registry = registry;
        this.alerts = alerts;
        this.guard = replicas == null ? new DependencyGuard(NAME, config, registry, channel, alerts) : null;
        if (replicas != null) {
            replicas.onChange(members -> guards.entrySet().removeIf(e -> {
                if (members.contains(e.getKey())) {
                    return false;
                }
                e.getValue().close();
                return true;
            }));
        }
    }

    /** The breaker of the replica {@code member}: each replica's circuit opens on its own failures only. */
    private DependencyGuard guardOf(String member) {
        return guards.computeIfAbsent(member, m -> new DependencyGuard(NAME, m, config, registry, replicas.channel(m), alerts));
    }

    private static FeatureServiceStub stub(Channel channel) {
        // answers are handled on the transport thread: the path only completes futures there and moves anything
        // that may block to a worker, so a hop to another executor would only add latency
        return FeatureServiceGrpc.newStub(channel).withExecutor(Runnable::run);
    }


    @PreDestroy
    void close() {
        if (replicas != null) {
            replicas.close();
        }
    }


    /**
     * Ingests one observation with a deadline of whatever is left until {@code endNanos}.
     *
     * @return the response; fails with {@link DependencyFailure} when feature-service gave none, or with the
     *     StatusRuntimeException when it refused the observation
     */
    public CompletableFuture<IngestResponse> ingest(Observation observation, long endNanos) {
        IngestRequest request = IngestRequest.newBuilder().setObservation(observation).build();
        String member = replicas == null ? null : replicas.ownerOf(observation.getSeriesId());
        FeatureServiceStub to = member == null ? stub : stub(replicas.channel(member));
        return (member == null ? guard : guardOf(member)).call(endNanos, deadline -> {
            Answer<IngestResponse> call = new Answer<>();
            to.withDeadlineAfter(deadline, TimeUnit.NANOSECONDS).ingest(request, call);
            return call;
        });
    }

    /**
     * The schema named {@code schemaId}: from memory, or asked of feature-service once (with replicas, of the one
     * that holds {@code seriesId} and has just answered for it, so a replica that is down degrades only its own series).
     */
    public CompletableFuture<FeatureSchema> schema(String schemaId, String seriesId, long endNanos) {
        FeatureSchema known = schemas.get(schemaId);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        String member = replicas == null ? null : replicas.ownerOf(seriesId);
        FeatureServiceStub to = member == null ? stub : stub(replicas.channel(member));
        return (member == null ? guard : guardOf(member)).<FeatureSchema>call(endNanos, deadline -> {
            Answer<FeatureSchema> call = new Answer<>();
            to.withDeadlineAfter(deadline, TimeUnit.NANOSECONDS).getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance(), call);
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
