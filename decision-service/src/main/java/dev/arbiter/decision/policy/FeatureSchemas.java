package dev.arbiter.decision.policy;

import dev.arbiter.decision.config.PolicyConfig;
import dev.arbiter.decision.repository.FeatureSchemaEntity;
import dev.arbiter.proto.v1.FeatureInfo;
import dev.arbiter.proto.v1.FeatureRole;
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

    /**
     * A schema's id, names in FeatureVector order, and the two features the policy reads (null when the schema has
     * none of that role).
     */
    public record Schema(String schemaId, List<String> names, String volatilityFeature, String trendFeature) {

        /** The schema as feature-service serves it: the policy's inputs are its features marked policy_input. */
        public static Schema of(FeatureSchema proto) {
            List<String> names = List.copyOf(proto.getNamesList());
            if (proto.getFeaturesCount() == 0) {
                return byNames(proto.getSchemaId(), names);
            }
            return new Schema(proto.getSchemaId(), names, policyInput(proto, FeatureRole.FEATURE_ROLE_VOLATILITY),
                    policyInput(proto, FeatureRole.FEATURE_ROLE_TREND_STRENGTH));
        }

        /**
         * A schema served or stored before roles were: the engine's rule over the names (the median {@code vol_<n>},
         * the {@code efficiency_ratio_<n>}).
         */
        static Schema byNames(String schemaId, List<String> names) {
            int[] windows = names.stream().filter(n -> n.matches("vol_\\d+")).mapToInt(n -> Integer.parseInt(n.substring(4))).sorted().toArray();
            String volatility = windows.length == 0 ? null : "vol_" + windows[(windows.length - 1) / 2];
            String trend = names.stream().filter(n -> n.startsWith("efficiency_ratio_")).findFirst().orElse(null);
            return new Schema(schemaId, names, volatility, trend);
        }

        private static String policyInput(FeatureSchema proto, FeatureRole role) {
            for (FeatureInfo f : proto.getFeaturesList()) {
                if (f.getPolicyInput() && f.getRole() == role) {
                    return f.getName();
                }
            }
            return null;
        }

        /**
         * Position of the policy's volatility in the values: {@code override} (arbiter.decision.volatility-feature) when
         * set, else the feature of that role; -1 if absent.
         */
        public int volatilityIndex(Optional<String> override) {
            return indexOf(override.orElse(volatilityFeature));
        }

        /**
         * Position of the policy's trend strength in the values: {@code override} (arbiter.decision.trend-feature) when
         * set, else the feature of that role; -1 if absent.
         */
        public int trendIndex(Optional<String> override) {
            return indexOf(override.orElse(trendFeature));
        }

        private int indexOf(String name) {
            return name == null ? -1 : names.indexOf(name);
        }
    }

    private final PolicyConfig config;
    private final FeatureServiceBlockingStub features;
    private final Map<String, Schema> known = new ConcurrentHashMap<>();
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

    /** The schema of a FeatureVector feature-service just answered with, from memory after the first time; no I/O. */
    public Schema served(FeatureSchema proto) {
        Schema s = known.get(proto.getSchemaId());
        return s != null ? s : Schema.of(proto);
    }

    /** Records a schema seen (e.g. on a FeatureVector's schema) so replays can find its names and roles later. */
    public Schema remember(FeatureSchema proto) {
        Schema schema = Schema.of(proto);
        Schema before = known.putIfAbsent(schema.schemaId(), schema);
        if (before == null) {
            QuarkusTransaction.requiringNew().run(() -> FeatureSchemaEntity.getEntityManager()
                    .createNativeQuery("INSERT INTO decision.feature_schema (schema_id, names, seen_ts_micros, volatility_feature, trend_feature)"
                            + " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (schema_id) DO NOTHING")
                    .setParameter(1, schema.schemaId())
                    .setParameter(2, schema.names().toArray(new String[0]))
                    .setParameter(3, ObservationTimes.nowMicros())
                    .setParameter(4, schema.volatilityFeature())
                    .setParameter(5, schema.trendFeature())
                    .executeUpdate());
        }
        return schema;
    }

    /**
     * Schema {@code schemaId}: remembered, or feature-service's current schema when it is that one.
     *
     * @throws RequestRefused FAILED_PRECONDITION when the schema is unknown here and no longer served
     */
    public Schema schema(String schemaId, String field) {
        Schema schema = known.get(schemaId);
        if (schema != null) {
            return schema;
        }
        Optional<FeatureSchemaEntity> stored = QuarkusTransaction.joiningExisting().call(() -> FeatureSchemaEntity.findByIdOptional(schemaId));
        if (stored.isPresent()) {
            FeatureSchemaEntity e = stored.get();
            schema = e.volatilityFeature == null && e.trendFeature == null
                    ? Schema.byNames(e.schemaId, List.of(e.names))
                    : new Schema(e.schemaId, List.of(e.names), e.volatilityFeature, e.trendFeature);
            known.put(schemaId, schema);
            return schema;
        }
        Schema now = current(field);
        if (now.schemaId().equals(schemaId)) {
            return now;
        }
        throw RequestRefused.precondition(field, "feature schema \"" + schemaId + "\" is not known here and feature-service now serves \""
                + now.schemaId() + "\"; the features cannot be named, so this cannot be recomputed");
    }
}
