package dev.arbiter.decision.testing;

import io.quarkus.redis.datasource.RedisDataSource;

/** Empties the risk state of this test application (its own Redis prefix), so each test starts flat and known. */
public final class RiskReset {

    private RiskReset() {}

    public static void clear(RedisDataSource redis, String prefix) {
        lose(redis, prefix);
        redis.execute("HSET", prefix + "risk:{portfolio}", "known", "reset-by-test");
    }

    /** What a Redis restart without persistence does to this application's risk state: every key gone. */
    public static void lose(RedisDataSource redis, String prefix) {
        redis.execute("EVAL", "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0",
                "0", prefix + "risk:*");
    }
}
