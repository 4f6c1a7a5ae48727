package dev.arbiter.model.service;

import dev.arbiter.model.config.ModelServiceConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ensemble weights shared by every replica through Redis. Each member's score is an exponentially
 * decayed accuracy: score ← d·score + (1 − d)·correct with d = 2^(−1/half-life), applied atomically
 * by one Lua script per outcome, which also refuses a second outcome for the same prediction and keeps
 * a snapshot of the result for replay (the latest {@code arbiter.models.weight-snapshots} of them per ensemble, in one
 * hash). Replicas read weights from a local copy refreshed on change.
 */
@ApplicationScoped
public class WeightStore {

    // KEYS[1] weights hash, KEYS[2] outcome marker ('' = none), KEYS[3] snapshots hash (field: outcome count)
    // ARGV[1] decay, ARGV[2] marker ttl ms, ARGV[3] snapshot ttl ms, ARGV[4] now micros, ARGV[5] snapshots kept,
    // ARGV[6..] (field, correct, initial)*
    // The outcome count grows by one per outcome, so removing the snapshot `kept` outcomes back keeps at most `kept`.
    private static final String APPLY = """
            if KEYS[2] ~= '' then
              if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return {'DUPLICATE'} end
            end
            local d = tonumber(ARGV[1])
            for i = 6, #ARGV, 3 do
              local f = ARGV[i]
              local s = redis.call('HGET', KEYS[1], f .. ':s')
              if not s then s = ARGV[i + 2] end
              s = d * tonumber(s) + (1 - d) * tonumber(ARGV[i + 1])
              redis.call('HSET', KEYS[1], f .. ':s', string.format('%.17g', s))
              redis.call('HINCRBY', KEYS[1], f .. ':n', 1)
            end
            local n = redis.call('HINCRBY', KEYS[1], 'outcomes', 1)
            redis.call('HSET', KEYS[1], 'updated', ARGV[4])
            local all = redis.call('HGETALL', KEYS[1])
            redis.call('HSET', KEYS[3], tostring(n), cjson.encode(all))
            local kept = tonumber(ARGV[5])
            if n > kept then redis.call('HDEL', KEYS[3], tostring(n - kept)) end
            redis.call('PEXPIRE', KEYS[3], ARGV[3])
            return {'APPLIED', tostring(n)}
            """;

    private final RedisDataSource redis;
    private final HashCommands<String, String, String> hash;
    private final ValueCommands<String, String> values;
    private final ModelServiceConfig config;
    private final Map<String, Map<String, String>> local = new ConcurrentHashMap<>();

    public WeightStore(RedisDataSource redis, ModelServiceConfig config) {
        this.redis = redis;
        this.hash = redis.hash(String.class, String.class, String.class);
        this.values = redis.value(String.class, String.class);
        this.config = config;
    }

    private String key(String ensemble) {
        return config.redisPrefix() + "weights:" + ensemble;
    }

    /** The ensemble's weight snapshots: one hash, the latest {@code arbiter.models.weight-snapshots} outcomes' states. */
    public String snapshotsKey(String ensemble) {
        return config.redisPrefix() + "weights-snapshots:" + ensemble;
    }

    /** Where versions before the bounded hash kept each snapshot as its own key (read until they expire). */
    private String legacySnapshotKey(String ensemble, String outcomes) {
        return config.redisPrefix() + "weights-snapshot:" + ensemble + ":" + outcomes;
    }

    /** Current weights from the local copy (read from Redis once, then refreshed on change). */
    /** Whether the ensemble's weights are in the local copy, so {@link #current} reads nothing from Redis. */
    public boolean cached(String ensemble) {
        return local.containsKey(ensemble);
    }

    public EnsembleWeights current(EnsemblePlan plan) {
        return compute(plan, local.computeIfAbsent(plan.name(), e -> hash.hgetall(key(e))), "");
    }

    /** Weights as they were after a past outcome; empty when the snapshot expired or never existed. */
    public Optional<EnsembleWeights> snapshot(EnsemblePlan plan, String snapshotId) {
        String prefix = plan.name() + ":";
        if (!snapshotId.startsWith(prefix)) {
            return Optional.empty();
        }
        String suffix = snapshotId.substring(prefix.length());
        if (suffix.equals("0")) {
            return Optional.of(compute(plan, Map.of(), snapshotId)); // before any outcome
        }
        String json = hash.hget(snapshotsKey(plan.name()), suffix);
        if (json == null) {
            json = values.get(legacySnapshotKey(plan.name(), suffix));
        }
        if (json == null) {
            return Optional.empty();
        }
        List<String> flat = Json.strings(json);
        Map<String, String> state = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            state.put(flat.get(i), flat.get(i + 1));
        }
        return Optional.of(compute(plan, state, snapshotId));
    }

    /** Re-reads an ensemble's weights, after another replica changed them. */
    public void refresh(String ensemble) {
        local.put(ensemble, hash.hgetall(key(ensemble)));
    }

    /** Re-reads every ensemble's weights held here; answers how many had changed (their notification was missed). */
    public int refreshAll() {
        int changed = 0;
        for (String ensemble : List.copyOf(local.keySet())) {
            Map<String, String> fresh = hash.hgetall(key(ensemble));
            if (!fresh.equals(local.put(ensemble, fresh))) {
                changed++;
            }
        }
        return changed;
    }

    /**
     * Applies one outcome: {@code correct} has one entry per member to update. With a non-empty
     * {@code dedupeId}, a second outcome for the same id changes nothing and returns false.
     */
    public boolean apply(EnsemblePlan plan, Map<VersionKey, Boolean> correct, String dedupeId) {
        double decay = Math.pow(2, -1.0 / plan.halfLifeOutcomes());
        List<String> args = new ArrayList<>();
        args.add(Double.toString(decay));
        args.add(Long.toString(config.predictionTtl().toMillis()));
        args.add(Long.toString(config.weightSnapshotTtl().toMillis()));
        args.add(Long.toString(System.currentTimeMillis() * 1000));
        args.add(Integer.toString(config.weightSnapshots()));
        for (EnsemblePlan.Member m : plan.members()) {
            Boolean c = correct.get(m.key());
            if (c != null) {
                args.add(m.key().id());
                args.add(c ? "1" : "0");
                args.add(Double.toString(plan.initialScore(m)));
            }
        }
        String marker = dedupeId.isEmpty() ? "" : config.redisPrefix() + "outcome:" + dedupeId;
        List<String> command = new ArrayList<>();
        command.add(APPLY);
        command.add("3");
        command.add(key(plan.name()));
        command.add(marker);
        command.add(snapshotsKey(plan.name()));
        command.addAll(args);
        Response r = redis.execute("EVAL", command.toArray(String[]::new));
        boolean applied = "APPLIED".equals(r.get(0).toString());
        refresh(plan.name());
        return applied;
    }

    private EnsembleWeights compute(EnsemblePlan plan, Map<String, String> state, String snapshotId) {
        double floor = plan.floor();
        double sum = 0;
        double[] effective = new double[plan.members().size()];
        for (int i = 0; i < effective.length; i++) {
            EnsemblePlan.Member m = plan.members().get(i);
            String s = state.get(m.key().id() + ":s");
            effective[i] = Math.max(s == null ? plan.initialScore(m) : Double.parseDouble(s), floor);
            if (!m.shadow()) {
                sum += effective[i];
            }
        }
        double[] weight = new double[effective.length];
        double[] caps = new double[effective.length];
        for (int i = 0; i < effective.length; i++) {
            EnsemblePlan.Member m = plan.members().get(i);
            weight[i] = sum > 0 && !m.shadow() ? effective[i] / sum : 0;
            caps[i] = m.shadow() ? 0 : m.maxWeight();
        }
        EnsembleWeights.cap(weight, caps);
        List<EnsembleWeights.MemberWeight> members = new ArrayList<>(effective.length);
        for (int i = 0; i < effective.length; i++) {
            EnsemblePlan.Member m = plan.members().get(i);
            String s = state.get(m.key().id() + ":s");
            String n = state.get(m.key().id() + ":n");
            members.add(new EnsembleWeights.MemberWeight(
                    m.key(),
                    m.shadow() ? (sum > 0 ? effective[i] / (sum + effective[i]) : 0) : weight[i],
                    s == null ? plan.initialScore(m) : Double.parseDouble(s),
                    n == null ? 0 : Long.parseLong(n),
                    m.shadow(),
                    m.maxWeight()));
        }
        long outcomes = Long.parseLong(state.getOrDefault("outcomes", "0"));
        long updated = Long.parseLong(state.getOrDefault("updated", "0"));
        String id = snapshotId.isEmpty() ? plan.name() + ":" + outcomes : snapshotId;
        return new EnsembleWeights(plan.name(), plan.revision(), id, outcomes, updated, plan.halfLifeOutcomes(), floor, members);
    }
}
