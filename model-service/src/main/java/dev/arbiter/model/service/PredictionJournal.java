package dev.arbiter.model.service;

import dev.arbiter.model.config.ModelServiceConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What each ensemble prediction said, kept in Redis for {@code prediction-ttl} so that an outcome can
 * be reported later by prediction or decision id on any replica. The write completes before the
 * prediction is answered (one round trip: with a decision id, its two SETs are sent together and awaited together), so
 * every prediction id a client holds is reportable.
 */
@ApplicationScoped
public class PredictionJournal {

    /** How long a journal write may take before the prediction fails (Redis down: the client degrades, and retries). */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    /** A recorded prediction: the ensemble, and each member's probability. */
    public record Recorded(String ensemble, Map<VersionKey, Double> probabilities) {}

    private final ValueCommands<String, String> sync;
    private final ReactiveValueCommands<String, String> pipelined;
    private final ModelServiceConfig config;

    public PredictionJournal(RedisDataSource redis, ModelServiceConfig config) {
        this.sync = redis.value(String.class, String.class);
        this.pipelined = redis.getReactive().value(String.class, String.class);
        this.config = config;
    }

    void record(String predictionId, String decisionId, String ensemble, Map<VersionKey, Double> probabilities) {
        recordAsync(predictionId, decisionId, ensemble, probabilities).await().atMost(WRITE_TIMEOUT);
    }

    /**
     * The same write without waiting: with a decision id, its two keys (which may live on different cluster slots) are
     * two commands in flight together (was MSET then two PEXPIREs, three round trips one after the other).
     */
    Uni<Void> recordAsync(String predictionId, String decisionId, String ensemble, Map<VersionKey, Double> probabilities) {
        StringBuilder b = new StringBuilder(ensemble);
        probabilities.forEach((k, p) -> b.append('\n').append(k.id()).append('=').append(p));
        SetArgs ttl = new SetArgs().px(config.predictionTtl());
        Uni<Void> prediction = pipelined.set(key("prediction:", predictionId), b.toString(), ttl);
        if (decisionId.isEmpty()) {
            return prediction.ifNoItem().after(WRITE_TIMEOUT).fail();
        }
        return Uni.combine().all().unis(prediction, pipelined.set(key("decision:", decisionId), predictionId, ttl))
                .discardItems()
                .ifNoItem().after(WRITE_TIMEOUT).fail();
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
