package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.RealDependencies;
import dev.arbiter.decision.testing.TcpProxy;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.DegradedCause;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.ServiceProcess;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Chaos: a network partition between decision-service and each of its dependencies in turn (feature-service,
 * model-service, Redis), through a TCP proxy that holds every byte in both directions while the connections stay up,
 * as when packets are dropped. While partitioned every decision is answered within the client's one-second deadline,
 * FLAT and degraded with the dependency's cause (for Redis: the risk state is unknown, so nothing is sized against an
 * exposure it cannot see); once healed, decisions are whole again within 5 seconds.
 */
class PartitionIT {

    static final long RECOVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    record Partition(String dependency, TcpProxy proxy, String reasonStart, DegradedCause... causes) {}

    @Test
    void aPartitionedDependencyDegradesEveryDecisionInTimeAndHealingRestoresThemWithinFiveSeconds() throws Exception {
        String run = UUID.randomUUID().toString();
        try (RealDependencies dependencies = RealDependencies.start("partition-it", run);
                TcpProxy features = new TcpProxy(dependencies.features.grpcPort);
                TcpProxy models = new TcpProxy(dependencies.models.grpcPort);
                TcpProxy redis = new TcpProxy(6379)) {
            Map<String, String> config = new HashMap<>(RealDependencies.clientConfig(features.port(), models.port()));
            config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test");
            config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + redis.port());
            config.put("arbiter.decision.redis-prefix", "arbiter-it:partition:" + run + ":");
            config.put("arbiter.decision.log.spool-dir", "target/partition-it-spool-" + run);
            try (ServiceProcess decisionService = ServiceProcess.start("decision-service.runner", "partition-it-decision-service", config)) {
                DecisionServiceBlockingStub decisions = DecisionServiceGrpc.newBlockingStub(decisionService.channel);
                Iterator<Observation> series = Msft.observations("partition-" + run, Msft.rows().size()).iterator();
                for (int i = 0; i < 60; i++) { // warm-up, with time for first loads
                    Decision d = decisions.withDeadlineAfter(30, TimeUnit.SECONDS).decide(
                            DecideRequest.newBuilder().setObservation(series.next()).setLatencyBudgetMs(5_000).build());
                    assertFalse(d.getDegraded(), "before any partition: " + d.getDegradedReason());
                }
                List<String> report = new ArrayList<>();
                for (Partition p : List.of(
                        new Partition("feature-service", features, "feature-service",
                                DegradedCause.DEGRADED_CAUSE_DEADLINE, DegradedCause.DEGRADED_CAUSE_CIRCUIT_OPEN),
                        new Partition("model-service", models, "model-service",
                                DegradedCause.DEGRADED_CAUSE_DEADLINE, DegradedCause.DEGRADED_CAUSE_CIRCUIT_OPEN),
                        new Partition("Redis", redis, "", DegradedCause.DEGRADED_CAUSE_RISK_STATE_UNAVAILABLE))) {
                    p.proxy().partition();
                    long slowest = 0;
                    for (int i = 0; i < 5; i++) {
                        long start = System.nanoTime();
                        Decision d = DegradationIT.decideWithinOneSecond(decisions, series.next()); // a late answer fails here
                        slowest = Math.max(slowest, System.nanoTime() - start);
                        // degraded and FLAT with the dependency's cause (a partitioned Redis may leave a prediction made)
                        String what = p.dependency() + ": " + d.getDegradedCause() + " " + d.getDegradedReason();
                        assertTrue(d.getDegraded() && List.of(p.causes()).contains(d.getDegradedCause()), what);
                        assertTrue(d.getDirection() == Direction.DIRECTION_FLAT && d.getSize() == 0, what);
                        assertTrue(d.getDegradedReason().startsWith(p.reasonStart()), what);
                    }
                    p.proxy().heal();
                    long healed = System.nanoTime();
                    Decision d;
                    do {
                        assertTrue(System.nanoTime() - healed < RECOVERY_NANOS, p.dependency() + ": not whole again 5 s after healing");
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // one decision every 100 ms, as a feed
                        d = DegradationIT.decideWithinOneSecond(decisions, series.next());
                    } while (d.getDegraded());
                    long recovered = System.nanoTime() - healed;
                    assertTrue(recovered < RECOVERY_NANOS, p.dependency() + " recovered after " + recovered / 1_000_000 + " ms");
                    report.add(String.format("%s: degraded answers within %d ms while partitioned, whole again %d ms after healing",
                            p.dependency(), slowest / 1_000_000, recovered / 1_000_000));
                }
                System.out.println("PartitionIT: " + String.join("; ", report));
            }
        }
    }
}
