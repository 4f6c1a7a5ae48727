package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.TcpProxy;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.GetDecisionRequest;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Chaos: decision-service killed with SIGKILL while PostgreSQL is unreachable, so the decisions it acknowledged live
 * only in its spool. Its JDBC connections go through a TCP proxy the test cuts (connections reset, new ones refused)
 * while clients keep deciding; the process is killed, the proxy restored, and a new process on the same spool drains
 * it. Every decision acknowledged before the kill, with PostgreSQL up or down, is in PostgreSQL exactly once.
 */
class SpoolKillIT {

    static final int CLIENTS = 4;
    static final int BEFORE_CUT = 50;
    static final int WHILE_DOWN = 150;

    @Test
    void everyDecisionAcknowledgedWhilePostgresWasDownSurvivesAKillExactlyOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path spool = Files.createTempDirectory(Path.of("target"), "spool-kill-it");
        Map<String, Decision> acknowledged = new ConcurrentHashMap<>();
        Set<String> acknowledgedWhileDown = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try (TcpProxy postgres = new TcpProxy(5432)) {
            Map<String, String> config = config(run, spool, postgres);
            ServiceProcess first = ServiceProcess.start(DecisionLogKillIT.RUNNER, "spool-kill-1", config);
            long[] steps = new long[CLIENTS];
            try {
                decide(first, pool, run, steps, BEFORE_CUT, acknowledged, null);
                postgres.cut();
                decide(first, pool, run, steps, WHILE_DOWN, acknowledged, acknowledgedWhileDown);
                // the spool is in use: nothing acknowledged while PostgreSQL was unreachable has reached it
                Set<String> early = new java.util.HashSet<>(acknowledgedWhileDown);
                early.retainAll(LoggedDecisions.read("arbiter_test", "spool-kill-" + run + "-%").ids());
                assertEquals(Set.of(), early, "in PostgreSQL while it was unreachable to the service");
            } finally {
                first.kill();
            }
            postgres.restore();
            try (ServiceProcess second = ServiceProcess.start(DecisionLogKillIT.RUNNER, "spool-kill-2", config)) {
                LoggedDecisions logged = LoggedDecisions.await("arbiter_test", "spool-kill-" + run + "-%", acknowledged.keySet());
                assertEquals(Set.of(), logged.missing(acknowledged.keySet()), "acknowledged, then lost");
                assertEquals(Map.of(), logged.duplicated(), "observations logged more than once (series@ts -> rows)");
                String one = acknowledgedWhileDown.iterator().next();
                Decision again = DecisionServiceGrpc.newBlockingStub(second.channel).getDecision(
                        GetDecisionRequest.newBuilder().setDecisionId(one).build());
                assertEquals(acknowledged.get(one).getTsMicros(), again.getTsMicros(), "the spooled decision as it was answered");
                System.out.printf("SpoolKillIT: %d decisions acknowledged (%d of them while PostgreSQL was unreachable, from the"
                        + " spool), SIGKILL, restart: all in PostgreSQL, %d observations each logged once%n", acknowledged.size(),
                        acknowledgedWhileDown.size(), logged.rowsPerObservation().size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, String> config(String run, Path spool, TcpProxy postgres) throws Exception {
        Map<String, String> c = DecisionLogKillIT.config("arbiter-it:spool-kill:" + run + ":", spool, DecisionLogKillIT.freePort(), false);
        c.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/arbiter_test");
        c.put("quarkus.datasource.jdbc.acquisition-timeout", "2s");
        c.put("arbiter.decision.log.retry-interval", "200ms");
        return c;
    }

    /** {@code count} decisions from {@link #CLIENTS} clients, each on its own series, one after another. */
    private static void decide(ServiceProcess p, ExecutorService pool, String run, long[] steps, int count,
                               Map<String, Decision> acknowledged, Set<String> alsoInto) throws Exception {
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(pool.submit(() -> {
                for (int i = 0; i < count / CLIENTS; i++) {
                    long step = steps[client]++;
                    Decision d = DecisionServiceGrpc.newBlockingStub(p.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .decide(DecideRequest.newBuilder().setLatencyBudgetMs(1_000).setObservation(Observation.newBuilder()
                                    .setSeriesId("spool-kill-" + run + "-" + client).setTsMicros(1_700_000_000_000_000L + step * 60_000_000L)
                                    .setValue(100 + step % 7)).build());
                    acknowledged.put(d.getDecisionId(), d);
                    if (alsoInto != null) {
                        alsoInto.add(d.getDecisionId());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : clients) {
            f.get(120, TimeUnit.SECONDS);
        }
    }
}
