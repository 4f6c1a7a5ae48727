package dev.arbiter.model.service;

import dev.arbiter.model.config.ModelServiceConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What each ensemble prediction said, kept in Redis for {@code prediction-ttl} so that an outcome can
 * be reported later by prediction or decision id on any replica. Writes are fire-and-forget: they
 * never hold up a prediction.
 */
@ApplicationScoped
public class PredictionJournal {

    private static final Logger LOG = Logger.getLogger(PredictionJournal.class);

    /** A recorded prediction: the ensemble, and each member's probability. */
    public record Recorded(String ensemble, Map<VersionKey, Double> probabilities) {}

    private final ReactiveValueCommands<String, String> async;
    private final ValueCommands<String, String> sync;
    private final ModelServiceConfig config;

    public PredictionJournal(ReactiveRedisDataSource reactive, RedisDataSource redis, ModelServiceConfig config) {
        this.async = reactive.value(String.class, String.class);
        this.sync = redis.value(String.class, String.class);
        this.config = config;
    }

    void record(String predictionId, String decisionId, String ensemble, Map<VersionKey, Double> probabilities) {
        StringBuilder b = new StringBuilder(ensemble);
        probabilities.forEach((k, p) -> b.append('\n').append(k.id()).append('=').append(p));
        SetArgs ttl = new SetArgs().px(config.predictionTtl());
        async.set(key("prediction:", predictionId), b.toString(), ttl)
                .subscribe().with(ok -> {}, e -> LOG.warnf("prediction %s not journaled: %s", predictionId, e.getMessage()));
        if (!decisionId.isEmpty()) {
            async.set(key("decision:", decisionId), predictionId, ttl)
                    .subscribe().with(ok -> {}, e -> LOG.warnf("decision %s not journaled: %s", decisionId, e.getMessage()));
        }
    }

    Optional<String> predictionOfDecision(String decisionId) {
        return Optional.ofNullable(sync.get(key("decision:", decisionId)));
    }

    Optional<Recorded> find(String predictionId) {
        String s = sync.get(key("prediction:", predictionId));
        if (s == null) {
            return Optional.empty();
        }
        String[] lines = s.split("\n");
        Map<VersionKey, Double> probabilities = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int eq = lines[i].indexOf('=');
            int colon = lines[i].lastIndexOf(':', eq);
            probabilities.put(
                    new VersionKey(lines[i].substring(0, colon), Integer.parseInt(lines[i].substring(colon + 1, eq))),
                    Double.parseDouble(lines[i].substring(eq + 1)));
        }
        return Optional.of(new Recorded(lines[0], probabilities));
    }

    private String key(String kind, String id) {
        return config.redisPrefix() + kind + id;
    }
}
