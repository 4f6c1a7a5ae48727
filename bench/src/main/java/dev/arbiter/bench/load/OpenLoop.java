package dev.arbiter.bench.load;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The open-loop schedule: request i is due at t0 + i/rate whatever became of the requests before it. One thread
 * parks until each due time and fires the request without waiting for its answer; when it falls behind it fires at
 * once. Latency is taken from the due time, so a stall of the client or the server counts for every request that
 * should have gone out meanwhile (coordinated omission: a closed loop would simply not have sent them).
 */
final class OpenLoop {

    /** Sends request {@code i}, due at {@code dueNanos}, without waiting; its answer goes to {@code phase}. */
    @FunctionalInterface
    interface Fire {
        void fire(long i, long dueNanos, Phase phase);
    }

    /** Time as the scheduler sees it: {@link #SYSTEM}, or a test's own. */
    interface Clock {
        long nanoTime();

        /** Returns at or after {@code nanos}; at once when that has passed. */
        void parkUntil(long nanos);

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void parkUntil(long nanos) {
                for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
            }
        };
    }

    private final Clock clock;
    private final Duration drain;

    /** {@code drain}: how long to wait for outstanding answers after the last request of a phase. */
    OpenLoop(Clock clock, Duration drain) {
        this.clock = clock;
        this.drain = drain;
    }

    /** When request {@code i} is due: exact integer arithmetic, so there is no drift however long the run. */
    static long due(long t0, long i, long ratePerSecond) {
        return t0 + Math.multiplyExact(i, 1_000_000_000L) / ratePerSecond;
    }

    /** How many requests a phase of {@code seconds} at {@code ratePerSecond} sends. */
    static long requests(long ratePerSecond, double seconds) {
        return Math.round(ratePerSecond * seconds);
    }

    /** Runs one phase: sends its requests on schedule, waits up to the drain for their answers, and sums it up. */
    Result run(String name, long ratePerSecond, double seconds, Fire fire) throws InterruptedException {
        Phase phase = new Phase(name, ratePerSecond, requests(ratePerSecond, seconds), clock);
        long t0 = clock.nanoTime();
        for (long i = 0; i < phase.planned(); i++) {
            long due = due(t0, i, ratePerSecond);
            clock.parkUntil(due);
            phase.sending(clock.nanoTime() - due);
            fire.fire(i, due, phase);
        }
        long sendingEnded = clock.nanoTime();
        phase.awaitAnswers(drain);
        return phase.finish(t0, sendingEnded);
    }
}
