package dev.arbiter.model.service;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeatureSchema;
import dev.arbiter.model.config.FeatureSchemaConfig;
import dev.arbiter.model.repository.ModelEntity;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.service.ObservationTimes;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The feature schemas model inputs are checked against. feature-service owns the schema: the served one is asked of it
 * (GetFeatureSchema), kept for {@code arbiter.features.schema-refresh} and asked again at once when a FeatureVector
 * names a schema not known here, so a reconfigured feature-service is followed without a restart. Every schema a model
 * is registered against is kept in PostgreSQL, so vectors of it still map to that model's inputs after a restart.
 * Until feature-service has answered once, the configured windows ({@code arbiter.features.windows.*}) stand in.
 * Asking blocks the caller up to {@code schema-deadline}: call it from a worker thread, never the event loop.
 */
@ApplicationScoped
public class FeatureSchemas {

    private static final Logger LOG = Logger.getLogger(FeatureSchemas.class);

    /** A schema's id and feature names, in FeatureVector order. */
    /** Longer than any schema id ("features-v1-" and a hash); a longer one is unknown. */
    static final int MAX_ID = 200;

    public record Schema(String id, List<String> names, Map<String, Integer> index) {

        static Schema of(String id, List<String> names) {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                index.put(names.get(i), i);
            }
            return new Schema(id, List.copyOf(names), Map.copyOf(index));
        }

        /** Position of a feature, or -1. */
        public int indexOf(String name) {
            Integer i = index.get(name);
            return i == null ? -1 : i;
        }

        public int size() {
            return names.size();
        }
    }

    private final FeatureSchemaConfig config;
    private final FeatureServiceBlockingStub features;
    private final Schema configured;
    private final Map<String, Schema> known = new ConcurrentHashMap<>();
    /** What {@link #served()} answers: feature-service's last answer, else the configured windows' schema. */
    private volatile Schema current;
    /** When feature-service was last asked (answered or not); 0 = never. */
    private volatile long askedAtNanos;
    private volatile boolean answered;
    private volatile boolean warned;

    public FeatureSchemas(FeatureSchemaConfig config, @GrpcClient("features") FeatureServiceBlockingStub features) {
        this.config = config;
        this.features = features;
        FeatureSchema local = FeatureSchema.of(FeatureConfig.fromParameters(config.windows().asParameters()));
        this.configured = Schema.of(local.id(), local.names());
        this.current = configured;
    }

    /**
     * The schema feature-service serves now: fetched at most every {@code schema-refresh}; the last one fetched while
     * feature-service does not answer; the configured windows' schema until it has answered once.
     */
    public Schema served() {
        if (askedAtNanos != 0 && System.nanoTime() - askedAtNanos < config.schemaRefresh().toNanos()) {
            return current;
        }
        return ask(0);
    }

    /**
     * Schema {@code id}: known here (served, registered against, or stored), or feature-service's, asked at once in
     * case it moved to that schema since the last refresh; null when neither knows it.
     */
    public Schema byId(String id) {
        // no schema id holds a control character (PostgreSQL refuses a NUL in text, which surfaced as UNKNOWN: found by
        // the gRPC fuzzer) or is longer than this; such an id is unknown without asking anyone
        if (id.isEmpty() || id.length() > MAX_ID || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return null;
        }
        Schema s = known.get(id);
        if (s != null) {
            return s;
        }
        s = stored(id);
        if (s != null) {
            known.put(id, s);
            return s;
        }
        // asked at most once a second (or schema-refresh, if shorter) on behalf of unknown ids, so a client repeating a
        // wrong id cannot flood feature-service
        Schema now = ask(Math.min(TimeUnit.SECONDS.toNanos(1), config.schemaRefresh().toNanos()));
        return now.id().equals(id) ? now : null;
    }

    /** Keeps a schema a model is registered against, so its vectors map after a restart. Joins the caller's transaction. */
    public void remember(Schema schema) {
        known.putIfAbsent(schema.id(), schema);
        ModelEntity.getEntityManager()
                .createNativeQuery("INSERT INTO model.feature_schema (schema_id, names, seen_ts_micros) VALUES (?1, ?2, ?3)"
                        + " ON CONFLICT (schema_id) DO NOTHING")
                .setParameter(1, schema.id())
                .setParameter(2, schema.names().toArray(new String[0]))
                .setParameter(3, ObservationTimes.nowMicros())
                .executeUpdate();
    }

    /** Asks feature-service unless it was asked less than {@code minIntervalNanos} ago; answers the current schema. */
    private synchronized Schema ask(long minIntervalNanos) {
        long now = System.nanoTime();
        if (askedAtNanos != 0 && now - askedAtNanos < minIntervalNanos) {
            return current;
        }
        askedAtNanos = now;
        try {
            dev.arbiter.proto.v1.FeatureSchema answer = features
                    .withDeadlineAfter(config.schemaDeadline().toMillis(), TimeUnit.MILLISECONDS)
                    .getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance());
            Schema s = known.computeIfAbsent(answer.getSchemaId(), id -> Schema.of(id, answer.getNamesList()));
            if (!answered || !current.id().equals(s.id())) {
                LOG.infof("feature-service serves feature schema %s (%d features)", s.id(), s.size());
            }
            current = s;
            answered = true;
            warned = false;
        } catch (StatusRuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.warnf("feature-service could not be asked for its feature schema (%s); model inputs are checked against %s"
                                + " until it answers", e.getStatus().getCode(),
                        (answered ? "the schema it served last, " : "the configured windows' schema, ") + current.id());
            }
            known.putIfAbsent(current.id(), current);
        }
        return current;
    }

    private static Schema stored(String id) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object> rows = ModelEntity.getEntityManager()
                    .createNativeQuery("SELECT names FROM model.feature_schema WHERE schema_id = ?1")
                    .setParameter(1, id)
                    .getResultList();
            return rows.isEmpty() ? null : Schema.of(id, List.of((String[]) rows.get(0)));
        });
    }
}
