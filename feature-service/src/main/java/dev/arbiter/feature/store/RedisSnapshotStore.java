package dev.arbiter.feature.store;

import dev.arbiter.feature.config.FeatureServiceConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.quarkus.redis.datasource.hash.HashScanCursor;
import io.quarkus.redis.datasource.keys.KeyCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;

/**
 * Snapshots of series state in one Redis hash per feature schema: field = series id, value = the
 * encoded state. One hash keeps a flush to a single HSET and a restore to an HSCAN.
 */
@ApplicationScoped
public class RedisSnapshotStore {

    private final HashCommands<String, String, byte[]> hash;
    private final KeyCommands<String> keys;
    private final io.quarkus.redis.datasource.value.ValueCommands<String, byte[]> strings;
    private final FeatureServiceConfig.Snapshot config;

    public RedisSnapshotStore(RedisDataSource redis, FeatureServiceConfig config) {
        this.hash = redis.hash(String.class, String.class, byte[].class);
        this.keys = redis.key(String.class);
        this.strings = redis.value(String.class, byte[].class);
        this.config = config.snapshot();
    }

    public String key(String schemaId) {
        return config.keyPrefix() + schemaId;
    }

    public void save(String schemaId, Map<String, byte[]> snapshots) {
        if (snapshots.isEmpty()) {
            return;
        }
        String key = key(schemaId);
        Map<String, byte[]> batch = new HashMap<>();
        for (Map.Entry<String, byte[]> e : snapshots.entrySet()) {
            batch.put(e.getKey(), e.getValue());
            if (batch.size() == config.batchSize()) {
                hash.hset(key, batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            hash.hset(key, batch);
        }
        config.ttl().ifPresent(ttl -> keys.expire(key, ttl));
    }

    public Map<String, byte[]> loadAll(String schemaId) {
        Map<String, byte[]> out = new HashMap<>();
        HashScanCursor<String, byte[]> cursor = hash.hscan(key(schemaId));
        while (cursor.hasNext()) {
            out.putAll(cursor.next());
        }
        return out;
    }

    public void deleteAll(String schemaId) {
        keys.del(key(schemaId));
        keys.del(ownerKey(schemaId));
    }

    /**
     * Who writes the snapshots of a schema and whether it stopped cleanly: "clean" or "running", a space, then its
     * log's id ("-" without a log). Null when no process has written it.
     */
    public String owner(String schemaId) {
        byte[] v = strings.get(ownerKey(schemaId));
        return v == null ? null : new String(v, java.nio.charset.StandardCharsets.UTF_8);
    }

    public void setOwner(String schemaId, String logId, boolean clean) {
        strings.set(ownerKey(schemaId), ((clean ? "clean " : "running ") + (logId == null ? "-" : logId))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        config.ttl().ifPresent(ttl -> keys.expire(ownerKey(schemaId), ttl));
    }

    private String ownerKey(String schemaId) {
        return key(schemaId) + ":owner";
    }
}
