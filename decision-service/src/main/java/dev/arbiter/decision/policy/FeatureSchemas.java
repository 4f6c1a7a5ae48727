package dev.arbiter.decision.policy;

import dev.arbiter.decision.config.PolicyConfig;
import dev.arbiter.decision.repository.FeatureSchemaEntity;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The feature schemas the policy is checked and replayed against. The current one comes from feature-service
 * (GetFeatureSchema, cached briefly); every schema seen is kept in PostgreSQL by schema_id, so a logged decision
 * can be replayed after feature-service has moved on to another schema.
 */
@ApplicationScoped
public class FeatureSchemas {

    /** A schema's id and names, in FeatureVector order. */
    public record Schema(String schemaId, List<String> names) {}

    private final PolicyConfig config;
    private final FeatureServiceBlockingStub features;
    private final Map<String, List<String>> known = new ConcurrentHashMap<>();
    private volatile Schema current;
    private volatile long currentFetchedNanos;

    public FeatureSchemas(PolicyConfig config, @GrpcClient("features") FeatureServiceBlockingStub features) {
        this.config = config;
        this.features = features;
    }

    /**
     * The schema feature-service serves now (cached for {@code schema-cache-ttl}).
     *
     * @throws RequestRefused UNAVAILABLE when feature-service cannot be asked; {@code field} names what needed it
     */
    public Schema current(String field) {
        Schema s = current;
        if (s != null && System.nanoTime() - currentFetchedNanos < config.schemaCacheTtl().toNanos()) {
            return s;
        }
        FeatureSchema fetched;
        try {
            fetched = features.withDeadlineAfter(config.schemaDeadline().toMillis(), TimeUnit.MILLISECONDS)
                    .getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw new RequestRefused(Status.Code.UNAVAILABLE, field, "feature-service could not be asked for its feature schema ("
                    + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription())
                    + "), which " + field + " must be checked against; retry in a few seconds");
        }
        s = remember(fetched);
        current = s;
        currentFetchedNanos = System.nanoTime();
        return s;
    }

    /** Records a schema seen (e.g. on a FeatureVector's schema) so replays can find its names later. */
    public Schema remember(FeatureSchema schema) {
        List<String> names = List.copyOf(schema.getNamesList());
        List<String> before = known.putIfAbsent(schema.getSchemaId(), names);
        if (before == null) {
            QuarkusTransaction.requiringNew().run(() -> FeatureSchemaEntity.getEntityManager()
                    .createNativeQuery("INSERT INTO decision.feature_schema (schema_id, names, seen_ts_micros) VALUES (?1, ?2, ?3) ON CONFLICT (schema_id) DO NOTHING")
                    .setParameter(1, schema.getSchemaId())
                    .setParameter(2, names.toArray(new String[0]))
                    .setParameter(3, ObservationTimes.nowMicros())
                    .executeUpdate());
        }
        return new Schema(schema.getSchemaId(), names);
    }

    /**
     * The names of schema {@code schemaId}: remembered, or feature-service's current schema when it is that one.
     *
     * @throws RequestRefused FAILED_PRECONDITION when the schema is unknown here and no longer served
     */
    public List<String> names(String schemaId, String field) {
        List<String> names = known.get(schemaId);
        if (names != null) {
            return names;
        }
        Optional<FeatureSchemaEntity> stored = QuarkusTransaction.joiningExisting().call(() -> FeatureSchemaEntity.findByIdOptional(schemaId));
        if (stored.isPresent()) {
            names = List.of(stored.get().names);
            known.put(schemaId, names);
            return names;
        }
        Schema now = current(field);
        if (now.schemaId().equals(schemaId)) {
            return now.names();
        }
        throw RequestRefused.precondition(field, "feature schema \"" + schemaId + "\" is not known here and feature-service now serves \""
                + now.schemaId() + "\"; the features cannot be named, so this cannot be recomputed");
    }
}
