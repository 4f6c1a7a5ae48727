package dev.arbiter.decision.service;

import java.time.Instant;

/** Wall-clock time in epoch microseconds, the unit of every *_ts_micros. */
final class Clock {

    private Clock() {}

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
