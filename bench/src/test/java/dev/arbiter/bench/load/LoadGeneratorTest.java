package dev.arbiter.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.Problem;
import dev.arbiter.proto.v1.StageLatencies;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open loop against real in-process gRPC servers on free ports (and, for the schedule itself, a fake clock). */
class LoadGeneratorTest {

    private static final long MS = 1_000_000;

    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
        executors.forEach(ExecutorService::shutdownNow);
    }

    @Test
    void degradedReasonsAreGroupedWithoutTheirParticulars() {
        assertEquals("feature-service: circuit open after 5 failures in the last 5 calls",
                Phase.reasonKind("feature-service: circuit open after 5 failures in the last 5 calls, retry in 1.8 s"));
        assertEquals("model-service: INVALID_ARGUMENT",
                Phase.reasonKind("model-service: INVALID_ARGUMENT (input feature \"ema_12\" is NaN ...)"));
        assertEquals("model-service: no time left in the latency budget",
                Phase.reasonKind("model-service: no time left in the latency budget"));
    }

    @Test
    void dueTimesAreExactOverAMillionRequests() {
        long t0 = -123_456_789L; // System.nanoTime() may be negative
        assertEquals(t0 + 1_000 * 1_000_000_000L, OpenLoop.due(t0, 1_000_000, 1_000));
        long previous = OpenLoop.due(t0, 0, 7);
        assertEquals(t0, previous);
        for (long i = 1; i <= 1_000_000; i++) {
            long due = OpenLoop.due(t0, i, 7);
            long gap = due - previous;
            assertTrue(gap == 142_857_142 || gap == 142_857_143, "gap " + gap + " before request " + i);
            previous = due;
        }
        assertEquals(t0 + 142_857_142_857_142L, previous, "request 1e6 at 7/s is due 1e15/7 ns after t0, not a ns later");
        assertEquals(250, OpenLoop.requests(1_000, 0.25));
    }

    @Test
    void eachSeriesGetsValidObservationsAtStrictlyLaterTimestamps() {
        Observations observations = new Observations("s-", 3, 7, 1_000_000);
        long[] last = new long[3];
        for (long i = 0; i < 3_000; i++) {
            Observation o = observations.request(i, 5).getObservation();
            int s = observations.series(i);
            assertEquals("s-" + s, o.getSeriesId());
            assertTrue(o.getTsMicros() > last[s], "series " + s + " at request " + i);
            assertTrue(o.getValue() > 0 && o.getLow() <= Math.min(o.getOpen(), o.getValue())
                    && o.getHigh() >= Math.max(o.getOpen(), o.getValue()) && o.getVolume() >= 0, o.toString());
            last[s] = o.getTsMicros();
        }
        assertEquals(1_000_000 + 999 * 60_000_000L, last[2], "one minute apart, from the start");
        assertEquals(5, observations.request(0, 5).getLatencyBudgetMs());
    }

    @Test
    void sendsRateTimesDurationRequestsAndAllAreAnswered() throws Exception {
        TestHealth health = new TestHealth(null);
        ManagedChannel channel = channel(serve(null, health));

        Result r = new OpenLoop(OpenLoop.Clock.SYSTEM, Duration.ofSeconds(10)).run("floor", 500, 0.4, UnaryCalls.health(channel));

        assertEquals(200, r.sent());
        assertEquals(200, r.answered());
        assertEquals(0, r.errorCount());
        assertEquals(200, health.calls.get());
    }

    @Test
    void aClientStallCountsForEveryRequestThatShouldHaveGoneOutMeanwhile() throws Exception {
        FakeClock clock = new FakeClock();
        Histogram serviceTimes = new Histogram(3); // from the actual send to the answer: what a closed loop records
        OpenLoop.Fire stallsOnce = (i, due, phase) -> {
            long sentAt = clock.now;
            if (i == 0) {
                clock.now += 50 * MS; // sending the first request holds the scheduling thread for 50 ms
            }
            serviceTimes.recordValue(clock.now - sentAt);
            phase.answered(due);
        };

        Result r = new OpenLoop(clock, Duration.ZERO).run("stall", 1_000, 0.1, stallsOnce);

        assertEquals(100, r.sent());
        assertEquals(100, r.answered());
        // Request j < 50 was due at j ms and went out and was answered at 50 ms: 50 samples of 1 to 50 ms, not one.
        assertEquals(50, r.latency().getCountBetweenValues(MS / 2, r.latency().getMaxValue()));
        assertTrue(r.latency().valuesAreEquivalent(50 * MS, r.latency().getMaxValue()));
        assertTrue(r.latency().valuesAreEquivalent(25 * MS, r.latency().getValueAtPercentile(75)));
        assertEquals(49.0, r.maxLagMs(), 1e-9, "request 1 went out at 50 ms, due at 1 ms");
        assertEquals(1, serviceTimes.getCountBetweenValues(MS / 2, serviceTimes.getMaxValue()));
    }

    @Test
    void aServerStallCountsForEveryRequestQueuedBehindIt() throws Exception {
        int k = 50;
        CountDownLatch release = new CountDownLatch(1);
        TestHealth health = new TestHealth(release, 1); // call 0 connects the channel; call 1, the run's first, stalls
        ExecutorService oneThread = Executors.newSingleThreadExecutor(); // requests queue behind the stalled one
        executors.add(oneThread);
        ManagedChannel channel = channel(serve(oneThread, health));
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
        OpenLoop.Fire check = UnaryCalls.health(channel);
        OpenLoop.Fire releasedAfterK = (i, due, phase) -> {
            check.fire(i, due, phase);
            if (i == 0) {
                // the stall starts before request 1 goes out, not whenever the server gets round to the first call
                try {
                    assertTrue(health.stalled.await(10, TimeUnit.SECONDS), "the first request reached the server");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (i == k) {
                release.countDown(); // the first call has been stalled while k more requests were sent
            }
        };

        Result r = new OpenLoop(OpenLoop.Clock.SYSTEM, Duration.ofSeconds(10)).run("stall", 1_000, 0.2, releasedAfterK);

        assertEquals(200, r.answered());
        // Request 0 is answered after request k was sent, at or after its due time k ms.
        assertTrue(r.latency().getMaxValue() >= k * MS, "max " + r.maxMs() + " ms");
        // Request j <= k/2 was answered after that too, so at least k/2 ms after its own due time.
        long clientSlow = r.latency().getCountBetweenValues(k * MS / 2 - MS / 10, r.latency().getMaxValue());
        assertTrue(clientSlow >= k / 2 + 1, clientSlow + " requests took ≥ k/2 ms");
        // The server's own time per call shows the one stalled call (and, on a busy machine, maybe a pause or two).
        long serverSlow = health.serviceNanos.stream().filter(n -> n >= k * MS / 2).count();
        assertTrue(serverSlow >= 1 && serverSlow * 4 < clientSlow, "server " + serverSlow + ", client " + clientSlow);
    }

    @Test
    void aStreamNeverHasMoreThanTheWindowUnansweredAndNothingIsDropped() throws Exception {
        FakeDecisions decisions = new FakeDecisions(5 * MS, Integer.MAX_VALUE); // answers one per 5 ms per stream
        ManagedChannel channel = channel(serve(null, decisions));
        Observations observations = new Observations("s", 10, 1, 1_700_000_000_000_000L);

        Result r;
        try (DecideStreams streams = new DecideStreams(channel, 1, 8, observations, 0)) {
            r = new OpenLoop(OpenLoop.Clock.SYSTEM, Duration.ofSeconds(10)).run("stream", 2_000, 0.05, streams);
        }

        assertEquals(100, r.answered());
        assertEquals(0, r.errorCount());
        assertEquals(8, decisions.maxUnanswered.get(), "offered 2000/s, answered 200/s: the window fills and holds");
        assertEquals(0, decisions.outOfOrder.get());
    }

    @Test
    void aWholeRunWritesTheReportAndStopsTheLadderAtTheFirstRateNotSustained(@TempDir Path dir) throws Exception {
        FakeDecisions decisions = new FakeDecisions(0, 100); // refuses stream requests after the 100th: half of the 400/s step
        TestHealth health = new TestHealth(null);
        int port = serve(null, decisions, health);
        Path md = dir.resolve("results.md");

        int exit = run("--decisions", "127.0.0.1:" + port, "--rate", "500", "--duration", "0.2", "--warmup", "0.1",
                "--series", "10", "--stream-rates", "100,200,400,800", "--streams", "2", "--stream-step", "0.2",
                "--max-p99-ms", "60000", "--out", md.toString());

        assertEquals(0, exit);
        assertEquals(1 + 100, health.calls.get(), "the start check and the floor");
        assertEquals(50 + 100, decisions.decides.get(), "warm-up and Decide");
        assertEquals(20 + 40 + 80, decisions.streamed.get(), "the ladder stops after 400/s, where requests are refused");
        assertEquals(0, decisions.outOfOrder.get());
        String report = Files.readString(md);
        assertTrue(report.contains("| floor (Health/Check) | 500 | 100 | 100 | 0 |"), report);
        assertTrue(report.contains("| Decide | 500 | 100 | 100 | 0 |"), report);
        assertTrue(report.contains("| DecideStream 400/s | 400 | 80 | 40 | 40 |"), report);
        assertTrue(report.contains("| no: 40 of 80 answered |"), report);
        assertTrue(report.contains("highest sustained DecideStream rate: 200/s"), report);
        assertTrue(report.contains("errors in DecideStream 400/s: INVALID_ARGUMENT ×40 (first: refused by the test)"), report);
        assertTrue(report.contains("decisions: 100, degraded 0; DIRECTION_FLAT 100"), report);
        assertTrue(report.contains("- target p50 ≤ 1 ms at 500/s: "), report);
    }

    @Test
    void exitCodesForAUsageErrorAndForNoServiceAnswering() throws Exception {
        assertEquals(2, run("--decisions", "no-port"));
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertEquals(3, run("--decisions", "127.0.0.1:" + closed));
    }

    private static int run(String... args) {
        return LoadGenerator.commandLine().execute(args);
    }

    private int serve(ExecutorService executor, BindableService... services) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        if (executor != null) {
            builder.executor(executor);
        }
        for (BindableService s : services) {
            builder.addService(s);
        }
        Server server = builder.build().start();
        servers.add(server);
        return server.getPort();
    }

    private ManagedChannel channel(int port) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
        channels.add(channel);
        return channel;
    }

    private static final class FakeClock implements OpenLoop.Clock {
        long now;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void parkUntil(long nanos) {
            now = Math.max(now, nanos);
        }
    }

    /** Answers SERVING; when {@code release} is given, the first call waits for it. Keeps each call's own time. */
    private static final class TestHealth extends HealthGrpc.HealthImplBase {
        final CountDownLatch release;
        /** Counted down when the stalled call has begun (it is then waiting for {@link #release}). */
        final CountDownLatch stalled = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        final List<Long> serviceNanos = new java.util.concurrent.CopyOnWriteArrayList<>();

        private final int stallCall;

        /** Stalls the first call until {@code release} (none when null). */
        TestHealth(CountDownLatch release) {
            this(release, 0);
        }

        /** Stalls call number {@code stallCall} (from 0) until {@code release}. */
        TestHealth(CountDownLatch release, int stallCall) {
            this.release = release;
            this.stallCall = stallCall;
        }

        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> answer) {
            long start = System.nanoTime();
            if (calls.getAndIncrement() == stallCall && release != null) {
                stalled.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            answer.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
            answer.onCompleted();
            serviceNanos.add(System.nanoTime() - start);
        }
    }

    /**
     * A decision-service stand-in: FLAT decisions; DecideStream answers in order, one per {@code delayNanos} (at once
     * when 0), and refuses every stream request after the first {@code refuseAfter}. Counts what it received, and
     * stream requests whose series' timestamp is not later than that series' last one.
     */
    private static final class FakeDecisions extends DecisionServiceGrpc.DecisionServiceImplBase {
        final AtomicInteger decides = new AtomicInteger();
        final AtomicInteger streamed = new AtomicInteger();
        final AtomicInteger maxUnanswered = new AtomicInteger();
        final AtomicInteger outOfOrder = new AtomicInteger();
        private final Map<String, Long> lastTs = new ConcurrentHashMap<>();
        private final long delayNanos;
        private final int refuseAfter;
        private final ScheduledExecutorService answering = Executors.newSingleThreadScheduledExecutor();

        FakeDecisions(long delayNanos, int refuseAfter) {
            this.delayNanos = delayNanos;
            this.refuseAfter = refuseAfter;
        }

        private static Decision decision(DecideRequest r) {
            return Decision.newBuilder().setSeriesId(r.getObservation().getSeriesId()).setTsMicros(r.getObservation().getTsMicros()).setDirection(Direction.DIRECTION_FLAT)
                    .setLatency(StageLatencies.newBuilder().setTotalMicros(100)).build();
        }

        @Override
        public void decide(DecideRequest request, StreamObserver<Decision> answer) {
            decides.incrementAndGet();
            answer.onNext(decision(request));
            answer.onCompleted();
        }

        @Override
        public StreamObserver<DecideRequest> decideStream(StreamObserver<DecideStreamResponse> answers) {
            return new StreamObserver<>() {
                private final ArrayDeque<DecideRequest> unanswered = new ArrayDeque<>();
                private boolean halfClosed;

                @Override
                public synchronized void onNext(DecideRequest request) {
                    // A series goes to one stream, so here (unlike concurrent unary calls) its timestamps must arrive in order.
                    long ts = request.getObservation().getTsMicros();
                    if (lastTs.merge(request.getObservation().getSeriesId(), ts, Math::max) != ts) {
                        outOfOrder.incrementAndGet();
                    }
                    boolean refuse = streamed.incrementAndGet() > refuseAfter;
                    unanswered.add(refuse ? DecideRequest.getDefaultInstance() : request);
                    maxUnanswered.accumulateAndGet(unanswered.size(), Math::max);
                    if (delayNanos == 0) {
                        answerOldest();
                    } else if (unanswered.size() == 1) {
                        answering.schedule(this::answerOldest, delayNanos, TimeUnit.NANOSECONDS);
                    }
                }

                private synchronized void answerOldest() {
                    DecideRequest r = unanswered.poll();
                    answers.onNext(r.hasObservation() ? DecideStreamResponse.newBuilder().setDecision(decision(r)).build()
                            : DecideStreamResponse.newBuilder().setProblem(Problem.newBuilder().setCode(3)
                                    .setField("observation").setMessage("refused by the test")).build());
                    if (!unanswered.isEmpty() && delayNanos > 0) {
                        answering.schedule(this::answerOldest, delayNanos, TimeUnit.NANOSECONDS);
                    } else if (unanswered.isEmpty() && halfClosed) {
                        answers.onCompleted();
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public synchronized void onCompleted() {
                    halfClosed = true;
                    if (unanswered.isEmpty()) {
                        answers.onCompleted();
                    }
                }
            };
        }
    }
}
