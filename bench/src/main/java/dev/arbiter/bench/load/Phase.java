package dev.arbiter.bench.load;

import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.Direction;
import io.grpc.Status;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * One phase of a run while it runs: each answer's latency from its request's due time, errors by status code, and
 * the decisions' own figures. Answers arrive on gRPC's threads; {@link #finish} takes the snapshot.
 */
final class Phase {

    private final String name;
    private final long rate;
    private final long planned;
    private final OpenLoop.Clock clock;
    /** From due time to answer, in ns. */
    private final Recorder latency = new Recorder(3);
    /** Decision.latency.total_micros, in ns. */
    private final Recorder serverLatency = new Recorder(3);
    private final LongAdder degraded = new LongAdder();
    /** Degraded decisions by the start of their reason (up to the first parenthesis: which dependency, what failed). */
    private final Map<String, LongAdder> degradedReasons = new ConcurrentHashMap<>();
    private final Map<Direction, LongAdder> directions = new ConcurrentHashMap<>();
    private final Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<Status.Code, String> firstErrors = new ConcurrentHashMap<>();
    private final AtomicLong lastAnswer = new AtomicLong(Long.MIN_VALUE);
    private final CountDownLatch unanswered;
    private long sent; // the scheduling thread's
    private long maxLag; // the scheduling thread's

    Phase(String name, long rate, long planned, OpenLoop.Clock clock) {
        this.name = name;
        this.rate = rate;
        this.planned = planned;
        this.clock = clock;
        this.unanswered = new CountDownLatch(Math.toIntExact(planned));
    }

    long planned() {
        return planned;
    }

    /** A request goes out {@code lagNanos} after its due time. */
    void sending(long lagNanos) {
        sent++;
        maxLag = Math.max(maxLag, lagNanos);
    }

    /** An answer to the request due at {@code dueNanos}. */
    void answered(long dueNanos) {
        long now = clock.nanoTime();
        latency.recordValue(Math.max(0, now - dueNanos));
        answer(now);
    }

    void decided(long dueNanos, Decision d) {
        if (d.getDegraded()) {
            degraded.increment();
            degradedReasons.computeIfAbsent(reasonKind(d.getDegradedReason()), k -> new LongAdder()).increment();
        }
        directions.computeIfAbsent(d.getDirection(), k -> new LongAdder()).increment();
        serverLatency.recordValue(Math.max(0, d.getLatency().getTotalMicros()) * 1_000);
        answered(dueNanos);
    }

    /** A degraded reason without its particulars (what it said in parentheses, when the circuit retries). */
    static String reasonKind(String reason) {
        int cut = reason.length();
        for (String end : new String[] {" (", ", retry in "}) {
            int at = reason.indexOf(end);
            cut = at > 0 ? Math.min(cut, at) : cut;
        }
        return reason.substring(0, cut);
    }

    /** A refusal or a failure; the first message of each code is printed once. */
    void failed(Status.Code code, String message) {
        errors.computeIfAbsent(code, k -> new LongAdder()).increment();
        if (firstErrors.putIfAbsent(code, String.valueOf(message)) == null) {
            System.err.println(name + ": " + code + ": " + message);
        }
        answer(clock.nanoTime());
    }

    private void answer(long now) {
        lastAnswer.accumulateAndGet(now, Math::max);
        unanswered.countDown();
    }

    void awaitAnswers(Duration drain) throws InterruptedException {
        unanswered.await(drain.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The phase's figures; answers that come later are not counted. */
    Result finish(long t0, long sendingEnded) {
        Map<Status.Code, Long> errorCounts = new TreeMap<>();
        errors.forEach((code, n) -> errorCounts.put(code, n.sum()));
        Map<Direction, Long> directionCounts = new EnumMap<>(Direction.class);
        directions.forEach((direction, n) -> directionCounts.put(direction, n.sum()));
        Map<String, Long> reasons = new TreeMap<>();
        degradedReasons.forEach((reason, n) -> reasons.put(reason, n.sum()));
        long end = Math.max(Math.max(lastAnswer.get(), sendingEnded), OpenLoop.due(t0, planned, rate)); // at least the phase's length
        return new Result(name, rate, sent, latency.getIntervalHistogram(), errorCounts, Map.copyOf(firstErrors),
                degraded.sum(), reasons, directionCounts, serverLatency.getIntervalHistogram(), (end - t0) / 1e9, maxLag);
    }
}
