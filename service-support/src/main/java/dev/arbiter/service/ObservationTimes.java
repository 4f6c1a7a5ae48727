package dev.arbiter.service;

import static dev.arbiter.service.RequestRefused.invalid;

import java.time.Duration;
import java.time.Instant;

/**
 * The time rule every service applies to an observation's {@code ts_micros}: not further ahead of the server's clock
 * than the configured skew. A timestamp years ahead (a unit mistake, nanoseconds for microseconds, or a bad clock)
 * would otherwise become the series' newest and move every window anchored at "the newest observation".
 */
public final class ObservationTimes {

    private ObservationTimes() {}

    /** The server clock in epoch microseconds (UTC). */
    public static long nowMicros() {
        Instant now = Instant.now();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
    }

    /**
     * Refuses a timestamp more than {@code maxAhead} ahead of the server clock.
     *
     * @param where the series and time, for the message, e.g. {@code series "EURUSD", ts_micros 1: }
     */
    public static void requireNotAhead(String field, long tsMicros, Duration maxAhead, String where) {
        long now = nowMicros();
        long limit = now + maxAhead.toNanos() / 1_000;
        if (tsMicros > limit) {
            throw invalid(field, where + field + " is " + tsMicros + ", " + Duration.ofNanos((tsMicros - now) * 1_000L).toHours()
                    + " h ahead of the server clock (" + now + "); send epoch microseconds (not nanoseconds) of when the value was"
                    + " observed, at most " + maxAhead.toHours() + " h ahead");
        }
    }
}
