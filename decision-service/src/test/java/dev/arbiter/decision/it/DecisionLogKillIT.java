package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.GetDecisionRequest;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Integration test (a packaged decision-service process, real PostgreSQL and Redis): concurrent DecideStream
 * clients keep deciding while the process is killed with SIGKILL; after a restart every decision that had been
 * answered — that is, acknowledged by the durable log — is in PostgreSQL.
 *
 * <p>To stay lean the process runs without feature-service and model-service (their ports have nothing listening),
 * so every decision is a degraded FLAT one; those go through exactly the same DecisionLog.append path (queue, group
 * commit, acknowledgement after commit) as any other decision.
 */
class DecisionLogKillIT {

    static final String RUNNER = "decision-service.runner";
    static final int CLIENTS = 4;
    static final int KILL_AFTER = 400;

    static Map<String, String> config(String prefix, Path spool, int deadPort, boolean clean) {
        Map<String, String> c = new HashMap<>();
        c.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test");
        c.put("quarkus.flyway.clean-disabled", "false");
        c.put("quarkus.flyway.clean-at-start", String.valueOf(clean));
        c.put("arbiter.decision.redis-prefix", prefix);
        c.put("arbiter.decision.log.spool-dir", spool.toString());
        c.put("quarkus.grpc.clients.features.port", String.valueOf(deadPort));
        c.put("quarkus.grpc.clients.models.port", String.valueOf(deadPort));
        return c;
    }

    @Test
    void everyAcknowledgedDecisionSurvivesAKill() throws Exception {
        String prefix = "arbiter-test:decision:" + UUID.randomUUID() + ":";
        Path spool = Files.createTempDirectory(Path.of("target"), "kill-it-spool");
        int deadPort = freePort();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicLong problems = new AtomicLong();
        CountDownLatch enough = new CountDownLatch(KILL_AFTER);
        String run = UUID.randomUUID().toString().substring(0, 8);

        ServiceProcess first = ServiceProcess.start(RUNNER, "decision-kill-1", config(prefix, spool, deadPort, true));
        try {
            DecisionServiceGrpc.DecisionServiceStub stub = DecisionServiceGrpc.newStub(first.channel);
            for (int c = 0; c < CLIENTS; c++) {
                String series = "kill-" + run + "-" + c;
                stub.decideStream(new ClientResponseObserver<DecideRequest, DecideStreamResponse>() {
                    long ts = 1_700_000_000_000_000L;
                    ClientCallStreamObserver<DecideRequest> requests;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<DecideRequest> r) {
                        requests = r;
                        // Send while gRPC flow control says ready: a bounded, self-paced load until the process dies.
                        r.setOnReadyHandler(() -> {
                            while (r.isReady() && ts < 1_700_000_000_000_000L + 100_000L * 1_000_000L) {
                                ts += 1_000_000L;
                                r.onNext(DecideRequest.newBuilder().setLatencyBudgetMs(1000).setObservation(Observation.newBuilder()
                                        .setSeriesId(series).setTsMicros(ts).setValue(100 + (ts / 1_000_000L) % 7)).build());
                            }
                        });
                    }

                    @Override
                    public void onNext(DecideStreamResponse response) {
                        if (response.hasDecision()) {
                            acknowledged.add(response.getDecision().getDecisionId());
                            enough.countDown();
                        } else {
                            problems.incrementAndGet();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        // the process was killed
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
            }
            assertTrue(enough.await(120, TimeUnit.SECONDS), "the clients got " + acknowledged.size() + " decisions in 120 s");
        } finally {
            first.kill();
        }
        Set<String> acked = new HashSet<>(acknowledged); // nothing can arrive any more
        assertTrue(acked.size() >= KILL_AFTER);

        try (ServiceProcess second = ServiceProcess.start(RUNNER, "decision-kill-2", config(prefix, spool, deadPort, false))) {
            Set<String> stored = storedIds("kill-" + run + "-%");
            Set<String> missing = new HashSet<>(acked);
            missing.removeAll(stored);
            assertEquals(Set.of(), missing, "acknowledged before the kill but not in PostgreSQL after it");
            String one = acked.iterator().next();
            Decision d = DecisionServiceGrpc.newBlockingStub(second.channel).getDecision(GetDecisionRequest.newBuilder().setDecisionId(one).build());
            assertTrue(d.getDegraded());
            System.out.printf("DecisionLogKillIT: %d decisions acknowledged before SIGKILL, %d in PostgreSQL after restart (%d more were committed"
                    + " but their answers were lost with the process), %d problems%n", acked.size(), stored.size(), stored.size() - acked.size(), problems.get());
        }
    }

    static Set<String> storedIds(String seriesPattern) throws Exception {
        return LoggedDecisions.read("arbiter_test", seriesPattern).ids();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
