package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.RealDependencies;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.GrpcFuzzer;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.ServiceDescriptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gRPC-level fuzzer ({@link GrpcFuzzer}) against the three hot-path services running as processes: random
 * requests built from every RPC's descriptor, a short seeded pass (the count per RPC from -Dfuzz.per-method, 4 by
 * default; bench/fuzz-grpc.sh runs the long one). Every answer is OK or a refusal a client can act on, never INTERNAL
 * or UNKNOWN, and the services still decide correctly afterwards.
 */
class GrpcFuzzIT {

    @Test
    void randomRequestsToEveryRpcGetNoInternalOrUnknownStatus() throws Exception {
        int perMethod = Integer.getInteger("fuzz.per-method", 4);
        long seed = Long.getLong("fuzz.seed", 20261207L);
        long seconds = Long.getLong("fuzz.seconds-per-service", 120);
        String run = UUID.randomUUID().toString();
        try (RealDependencies dependencies = RealDependencies.start("grpc-fuzz-it", run)) {
            Map<String, String> config = new HashMap<>(dependencies.clientConfig());
            config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test");
            config.put("arbiter.decision.redis-prefix", "arbiter-it:grpc-fuzz:" + run + ":");
            config.put("arbiter.decision.log.spool-dir", "target/grpc-fuzz-it-spool-" + run);
            try (ServiceProcess decisions = ServiceProcess.start("decision-service.runner", "grpc-fuzz-it-decision-service", config)) {
                StringBuilder report = new StringBuilder();
                boolean found = false;
                Map<ServiceProcess, ServiceDescriptor> targets = Map.of(
                        dependencies.features, FeatureServiceGrpc.getServiceDescriptor(),
                        dependencies.models, ModelServiceGrpc.getServiceDescriptor(),
                        decisions, DecisionServiceGrpc.getServiceDescriptor());
                for (Map.Entry<ServiceProcess, ServiceDescriptor> t : targets.entrySet()) {
                    GrpcFuzzer.Report r = new GrpcFuzzer(seed).run(t.getKey().channel, t.getValue(), perMethod, seconds, List.of());
                    report.append(t.getValue().getName()).append(": ").append(r).append('\n');
                    found |= !r.findings().isEmpty();
                    assertTrue(r.calls() >= Math.min(perMethod, 1) * t.getValue().getMethods().size() || seconds < 120,
                            "every RPC was called: " + r);
                }
                System.out.println("GrpcFuzzIT (seed " + seed + ", " + perMethod + " per RPC):\n" + report);
                assertFalse(found, report.toString());
                // the services are whole afterwards: a fresh series is decided on, undegraded once warm
                List<Observation> series = Msft.observations("after-fuzz-" + run, 70);
                Decision last = null;
                for (Observation o : series) {
                    last = DecisionServiceGrpc.newBlockingStub(decisions.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5_000).build());
                }
                assertFalse(last.getDegraded(), last.getDegradedReason());
            }
        }
    }
}
