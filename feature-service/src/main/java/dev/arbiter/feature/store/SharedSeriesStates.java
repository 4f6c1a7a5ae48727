package dev.arbiter.feature.store;

import dev.arbiter.feature.config.FeatureServiceConfig;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Series state shared by feature-service replicas ({@code arbiter.features.sharded}): each series' encoded state in
 * the schema's snapshot hash ({@link RedisSnapshotStore#key}), written before an observation is acknowledged by a
 * compare-and-set on the SHA-1 of the value the writer last saw. A replica whose copy is older than Redis' (another
 * replica advanced the series while it was routed there) fails the set, gets the current value back and starts from
 * it, so a series that moves between replicas continues bit for bit whatever each one believes the replica set is.
 */
@ApplicationScoped
public class SharedSeriesStates {

    /**
     * KEYS[1] the hash; ARGV[1] the series, ARGV[2] the SHA-1 (hex) of the value the caller last saw ("" for none),
     * ARGV[3] the new value, ARGV[4] the hash's expiry in ms (0: none). Answers 1 when set; otherwise the value now
     * (or 0 when there is none), for the caller to start again from.
     */
    private static final String COMPARE_AND_SET = """
            local cur = redis.call('HGET', KEYS[1], ARGV[1])
            local sha = ''
            if cur then sha = redis.sha1hex(cur) end
            if sha ~= ARGV[2] then
              if cur then return cur end
              return 0
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
            return 1
            """;

    private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final Redis redis;
    private final RedisSnapshotStore snapshots;
    private final long ttlMillis;
    private final Duration timeout;

    public SharedSeriesStates(Redis redis, RedisSnapshotStore snapshots, FeatureServiceConfig config) {
        this.redis = redis;
        this.snapshots = snapshots;
        this.ttlMillis = config.snapshot().ttl().map(Duration::toMillis).orElse(0L);
        this.timeout = Duration.ofSeconds(5);
    }

    /** The outcome of a {@link #compareAndSet}: set, or the value found instead (null: none). */
    public record Cas(boolean set, byte[] current) {
    }

    /** The series' value now; null when it has none. */
    public byte[] load(String schemaId, String seriesId) {
        Response r = redis.send(Request.cmd(Command.HGET).arg(snapshots.key(schemaId)).arg(seriesId))
                .await().atMost(timeout);
        return r == null ? null : r.toBytes();
    }

    /** Sets the series' value to {@code value} if the value there is still the one whose SHA-1 is {@code expected}. */
    public Cas compareAndSet(String schemaId, String seriesId, String expected, byte[] value) {
        Response r = redis.send(Request.cmd(Command.EVAL).arg(COMPARE_AND_SET).arg(1).arg(snapshots.key(schemaId))
                        .arg(seriesId).arg(expected).arg(value).arg(ttlMillis))
                .await().atMost(timeout);
        if (r.type() == ResponseType.NUMBER) {
            return new Cas(r.toLong() == 1, null);
        }
        return new Cas(false, r.toBytes());
    }

    /** The SHA-1 (lowercase hex) Redis computes for {@code value}; "" for none. */
    public static String sha1(byte[] value) {
        if (value == null) {
            return "";
        }
        return HexFormat.of().formatHex(SHA1.get().digest(value));
    }
}
