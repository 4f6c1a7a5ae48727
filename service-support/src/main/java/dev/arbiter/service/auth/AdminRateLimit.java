package dev.arbiter.service.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client for the RPCs that change what decides (those admitting the admin role): {@code burst}
 * calls at once, refilled at {@code perMinute} a minute. A client is its token's name, or its address when
 * authentication is off. A call over the limit is refused before it runs (RESOURCE_EXHAUSTED, with when to retry), so
 * a runaway script cannot flood the registry, the parameter history or the rule sets.
 */
public final class AdminRateLimit {

    private final double perNano;
    private final double burst;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long atNanos;

        Bucket(double tokens, long atNanos) {
            this.tokens = tokens;
            this.atNanos = atNanos;
        }
    }

    /** {@code perMinute} calls a minute after a first {@code burst}; {@code clock} in nanoseconds (System::nanoTime). */
    public AdminRateLimit(double perMinute, int burst, LongSupplier clock) {
        if (!(perMinute > 0) || burst < 1) {
            throw new IllegalArgumentException("arbiter.limits.admin-per-minute must be > 0 and arbiter.limits.admin-burst >= 1; got "
                    + perMinute + " and " + burst);
        }
        this.perNano = perMinute / 60e9;
        this.burst = burst;
        this.clock = clock;
    }

    /** Takes one call from {@code client}'s bucket: 0 when allowed, else the nanoseconds until the next call would be. */
    public long take(String client) {
        long now = clock.getAsLong();
        Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.atNanos) * perNano);
            b.atNanos = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - b.tokens) / perNano);
        }
    }

    /** The rate, for messages. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%.0f a minute after a burst of %.0f", perNano * 60e9, burst);
    }
}
