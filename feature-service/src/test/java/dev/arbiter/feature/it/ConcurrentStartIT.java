package dev.arbiter.feature.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arbiter.feature.TestSeries;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import dev.arbiter.proto.v1.GetLatestFeaturesRequest;
import dev.arbiter.proto.v1.IngestOutcome;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Integration test (packaged service, real processes): services started at the same moment each bind the ports the
 * kernel gives them and are reached on the ports they report, which is how the demo, bench/load.sh and every test that
 * runs services as processes start them (service-support's LocalService). Picking a free port first and binding it
 * later lost the port to another process once in six demo runs.
 */
class ConcurrentStartIT {

    static final int INSTANCES = 6;
    static final TestSeries MSFT = TestSeries.msft();

    @Test
    void sixServicesStartedAtOnceEachAnswerOnTheirOwnReportedPort() {
        String run = UUID.randomUUID().toString();
        ExecutorService starters = Executors.newFixedThreadPool(INSTANCES);
        List<CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
        try {
            for (int i = 0; i < INSTANCES; i++) {
                Map<String, String> config = Map.of(
                        "arbiter.features.snapshot.key-prefix", "arbiter-it:features:" + run + ":" + i + ":",
                        "arbiter.features.snapshot.ttl", "10m");
                String name = "concurrent-start-it-" + i;
                starting.add(CompletableFuture.supplyAsync(() -> ServiceProcess.start("feature-service.runner", name, config), starters));
            }
            List<ServiceProcess> services = starting.stream().map(CompletableFuture::join).toList();

            Set<Integer> ports = new HashSet<>();
            services.forEach(s -> ports.add(s.grpcPort));
            assertEquals(INSTANCES, ports.size(), "each service reports a port of its own: " + ports);

            for (int i = 0; i < INSTANCES; i++) {
                assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, stub(services.get(i)).ingest(MSFT.request("instance-" + i, 0)).getOutcome());
            }
            // Each port leads to the process that reported it: it holds its own series and not the others'.
            for (int i = 0; i < INSTANCES; i++) {
                FeatureServiceBlockingStub stub = stub(services.get(i));
                assertEquals(1, stub.getLatestFeatures(latest("instance-" + i)).getFeatures().getObservationCount());
                String other = "instance-" + (i + 1) % INSTANCES;
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.getLatestFeatures(latest(other)));
                assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            }
        } finally {
            // Every service that started is stopped, also when another one failed to start.
            for (CompletableFuture<ServiceProcess> f : starting) {
                try {
                    f.join().close();
                } catch (CompletionException failedToStart) {
                    // reported by the join above
                }
            }
            starters.shutdown();
        }
    }

    private static FeatureServiceBlockingStub stub(ServiceProcess service) {
        return FeatureServiceGrpc.newBlockingStub(service.channel);
    }

    private static GetLatestFeaturesRequest latest(String series) {
        return GetLatestFeaturesRequest.newBuilder().setSeriesId(series).build();
    }
}
