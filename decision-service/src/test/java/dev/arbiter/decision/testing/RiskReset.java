package dev.arbiter.decision.testing;

import io.quarkus.redis.datasource.RedisDataSource;

/** Empties the risk state of this test application (its own Redis prefix), so each test starts flat. */
public final class RiskReset {

    private RiskReset() {}

    public static void clear(RedisDataSource redis, String prefix) {
        redis.execute("EVAL", "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0",
                "0", prefix + "risk:*");
    }
}
