package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A decision-service replica stopped as Kubernetes stops a pod (SIGTERM) under constant Decide load: its readiness
 * goes DOWN first while it keeps serving for the shutdown delay, the clients stop sending to it once they see that (as
 * Kubernetes takes a not-ready pod out of its endpoints), and every call sent before then is answered and logged.
 * Lean, as DecisionLogKillIT: no feature- or model-service, so every decision is a degraded FLAT one through the same
 * log path.
 */
class GracefulShutdownIT {

    static final int CLIENTS = 6;
    static final String DELAY = "2s";

    record Call(long startNanos, Status.Code code, String decisionId) {}

    @Test
    void readinessGoesDownFirstAndEveryCallSentBeforeThenIsAnsweredAndLogged() throws Exception {
        String run = UUID.randomUUID().toString();
        ServiceProcess decisions = start("graceful-shutdown-it", run);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", decisions.grpcPort).usePlaintext().build();

        ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            String series = "graceful-" + run + "-" + c;
            clients.add(pool.submit(() -> {
                for (int step = 0; sending.get(); step++) {
                    long start = System.nanoTime();
                    try {
                        Decision d = DecisionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                                .decide(request(series, step));
                        calls.add(new Call(start, Status.Code.OK, d.getDecisionId()));
                        answered.incrementAndGet();
                    } catch (StatusRuntimeException e) {
                        calls.add(new Call(start, e.getStatus().getCode(), null));
                    }
                }
                return null;
            }));
        }
        while (answered.get() < 300) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval
        }

        Termination t = terminate(decisions);
        long sigterm = t.sigtermNanos();
        long answeredWhenDown = answered.get();
        // the clients move away once readiness is down, as Kubernetes' endpoints do
        sending.set(false);
        for (Future<?> f : clients) {
            f.get(60, TimeUnit.SECONDS);
        }
        t.stopper().join(TimeUnit.SECONDS.toMillis(90));
        pool.shutdownNow();
        channel.shutdownNow();

        assertEquals(503, t.status(), "readiness answered DOWN while the process still served (not a refused connection)");
        List<Call> all = new ArrayList<>(calls);
        List<Call> failed = all.stream().filter(c -> c.code() != Status.Code.OK).toList();
        assertEquals(List.of(), failed.stream().map(c -> c.code() + " at " + (c.startNanos() - sigterm) / 1_000_000 + " ms after SIGTERM")
                .toList(), "every call sent before the clients moved away was answered");
        Set<String> ok = all.stream().map(Call::decisionId).filter(java.util.Objects::nonNull).collect(Collectors.toSet());
        assertEquals(ok, DecisionLogKillIT.storedIds("graceful-" + run + "-%"), "every answered decision is logged");
        long duringDelay = all.stream().filter(c -> c.startNanos() > sigterm).count();
        assertTrue(duringDelay > 0, "calls were still answered after SIGTERM");
        System.out.printf("GracefulShutdownIT: %d decisions answered, %d of them sent after SIGTERM; readiness DOWN %d ms"
                        + " after SIGTERM (with %d answered by then); 0 failed%n", ok.size(), duringDelay,
                (t.notReadyNanos() - sigterm) / 1_000_000, answeredWhenDown);
    }

    /**
     * The same with DecideStream clients: each stream, open when SIGTERM arrives, goes on being answered during the
     * delay; once readiness is DOWN each client sends nothing more and half-closes, and every request it sent is
     * answered before its stream completes normally.
     */
    @Test
    void openDecideStreamsDrainAndCompleteNormally() throws Exception {
        String run = UUID.randomUUID().toString();
        ServiceProcess decisions = start("graceful-shutdown-stream-it", run);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", decisions.grpcPort).usePlaintext().build();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<java.util.concurrent.CompletableFuture<long[]>> streams = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            String series = "graceful-stream-" + run + "-" + c;
            java.util.concurrent.CompletableFuture<long[]> done = new java.util.concurrent.CompletableFuture<>();
            streams.add(done);
            // lock-step: the next request goes once the previous one is answered
            long[] counts = new long[2]; // sent, answered
            java.util.concurrent.atomic.AtomicReference<io.grpc.stub.StreamObserver<DecideRequest>> requests =
                    new java.util.concurrent.atomic.AtomicReference<>();
            requests.set(DecisionServiceGrpc.newStub(channel).decideStream(new io.grpc.stub.StreamObserver<>() {
                @Override
                public void onNext(dev.arbiter.proto.v1.DecideStreamResponse r) {
                    synchronized (counts) {
                        counts[1]++;
                        if (r.hasDecision()) {
                            ids.add(r.getDecision().getDecisionId());
                            answered.incrementAndGet();
                        }
                        if (sending.get()) {
                            requests.get().onNext(request(series, counts[0]++));
                        } else {
                            requests.get().onCompleted();
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    synchronized (counts) {
                        done.complete(counts.clone());
                    }
                }
            }));
            synchronized (counts) {
                requests.get().onNext(request(series, counts[0]++));
            }
        }
        while (answered.get() < 300) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval
        }
        Termination t = terminate(decisions);
        sending.set(false);
        long sent = 0;
        for (java.util.concurrent.CompletableFuture<long[]> s : streams) {
            long[] counts = s.get(60, TimeUnit.SECONDS); // an onError fails here
            assertEquals(counts[0], counts[1], "every request of the stream answered");
            sent += counts[0];
        }
        t.stopper().join(TimeUnit.SECONDS.toMillis(90));
        channel.shutdownNow();
        assertEquals(503, t.status(), "readiness answered DOWN while the process still served");
        assertEquals(sent, ids.size(), "every request was a decision");
        assertEquals(ids, DecisionLogKillIT.storedIds("graceful-stream-" + run + "-%"), "every answered decision is logged");
        System.out.printf("GracefulShutdownIT (streams): %d streams drained and completed, %d decisions; readiness DOWN %d ms"
                + " after SIGTERM%n", CLIENTS, ids.size(), (t.notReadyNanos() - t.sigtermNanos()) / 1_000_000);
    }

    /** A lean decision-service replica with the shutdown delay, and its readiness endpoint. */
    private static ServiceProcess start(String name, String run) throws Exception {
        Map<String, String> config = DecisionLogKillIT.config("arbiter-it:" + name + ":" + run + ":",
                Path.of("target", name + "-spool-" + run), DecisionLogKillIT.freePort(), false);
        config.put("quarkus.shutdown.delay", DELAY);
        return ServiceProcess.start(DecisionLogKillIT.RUNNER, name, config);
    }

    /** SIGTERM sent, and the first readiness answer that was not 200 (503 while serving; -1 once the port closed). */
    record Termination(Thread stopper, long sigtermNanos, long notReadyNanos, int status) {}

    /** Sends SIGTERM (the stop waits for the exit, so on its own thread) and polls readiness until it is not 200. */
    private static Termination terminate(ServiceProcess p) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + p.httpPort + "/q/health/ready");
        assertEquals(200, readiness(http, ready), "ready before SIGTERM");
        long sigterm = System.nanoTime();
        Thread stopper = new Thread(p::stop, "graceful-it-sigterm");
        stopper.start();
        int status;
        while ((status = readiness(http, ready)) == 200) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval
        }
        return new Termination(stopper, sigterm, System.nanoTime(), status);
    }

    private static DecideRequest request(String series, long step) {
        return DecideRequest.newBuilder().setLatencyBudgetMs(1_000).setObservation(Observation.newBuilder().setSeriesId(series)
                .setTsMicros(1_700_000_000_000_000L + step * 60_000_000L).setValue(100 + step % 7)).build();
    }

    private static int readiness(HttpClient http, URI ready) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(ready).timeout(java.time.Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1; // the port is closed: the process has stopped
        }
    }
}
