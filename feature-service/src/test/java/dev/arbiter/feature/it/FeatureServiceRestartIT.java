package dev.arbiter.feature.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.feature.TestSeries;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.GetLatestFeaturesRequest;
import dev.arbiter.proto.v1.IngestOutcome;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Integration test (packaged service, real processes, real Redis): a feature-service stopped midway
 * through a series and started again continues it exactly as an uninterrupted run does.
 */
class FeatureServiceRestartIT {

    static final TestSeries MSFT = TestSeries.msft();
    static final String RUNNER = "feature-service.runner";

    @Test
    void aRestartedServiceContinuesEachSeriesWhereItsSnapshotLeftIt() {
        Map<String, String> config = Map.of(
                "arbiter.features.snapshot.key-prefix", "arbiter-it:features:" + UUID.randomUUID() + ":",
                "arbiter.features.snapshot.ttl", "10m");
        String[] ids = {"msft-a", "msft-b"};
        int[] split = {120, 7};

        try (ServiceProcess first = ServiceProcess.start(RUNNER, "restart-it-first", config)) {
            FeatureServiceBlockingStub stub = FeatureServiceGrpc.newBlockingStub(first.channel);
            for (int s = 0; s < ids.length; s++) {
                for (int i = 0; i < split[s]; i++) {
                    stub.ingest(MSFT.request(ids[s], i));
                }
            }
            first.stop();
        }

        try (ServiceProcess second = ServiceProcess.start(RUNNER, "restart-it-second", config)) {
            FeatureServiceBlockingStub stub = FeatureServiceGrpc.newBlockingStub(second.channel);
            for (int s = 0; s < ids.length; s++) {
                // The uninterrupted run: the same engine code, fed the whole series in one go.
                FeaturePipeline uninterrupted = new FeaturePipeline(FeatureConfig.defaults());
                double[] expected = new double[uninterrupted.size()];
                for (int i = 0; i < split[s]; i++) {
                    MSFT.feed(uninterrupted, i, expected);
                }
                FeatureVector restored = stub.getLatestFeatures(GetLatestFeaturesRequest.newBuilder().setSeriesId(ids[s]).build()).getFeatures();
                assertEquals(split[s], restored.getObservationCount());
                TestSeries.assertBitForBit(expected, restored, ids[s] + " after restart");

                // Replaying the last acknowledged observation is recognised as a duplicate after the restart too.
                assertEquals(IngestOutcome.INGEST_OUTCOME_DUPLICATE, stub.ingest(MSFT.request(ids[s], split[s] - 1)).getOutcome());

                for (int i = split[s]; i < MSFT.size(); i++) {
                    MSFT.feed(uninterrupted, i, expected);
                    IngestResponse r = stub.ingest(MSFT.request(ids[s], i));
                    assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, r.getOutcome());
                    TestSeries.assertBitForBit(expected, r.getFeatures(), ids[s] + " observation " + i);
                }
            }
        }
    }

    /**
     * kill -9 right after an acknowledgement, with snapshots every 50 ms: the next process restores the snapshots and
     * replays the observation log over them, so every acknowledged observation is there, bit for bit.
     */
    @Test
    void aKilledServiceLosesNothingItAcknowledged() throws Exception {
        Path logDir = Files.createTempDirectory("arbiter-feature-log-it-");
        Map<String, String> config = Map.of(
                "arbiter.features.snapshot.key-prefix", "arbiter-it:features:" + UUID.randomUUID() + ":",
                "arbiter.features.snapshot.ttl", "10m",
                "arbiter.features.snapshot.interval", "50ms",
                "arbiter.features.log.dir", logDir.toString());
        String id = "msft-killed";
        int acknowledged = 150;
        try (ServiceProcess first = ServiceProcess.start(RUNNER, "crash-it-first", config)) {
            FeatureServiceBlockingStub stub = FeatureServiceGrpc.newBlockingStub(first.channel);
            for (int i = 0; i < acknowledged; i++) {
                assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, stub.ingest(MSFT.request(id, i)).getOutcome());
            }
            first.kill(); // no shutdown hook, no last snapshot
        }
        try (ServiceProcess second = ServiceProcess.start(RUNNER, "crash-it-second", config)) {
            FeatureServiceBlockingStub stub = FeatureServiceGrpc.newBlockingStub(second.channel);
            FeaturePipeline uninterrupted = new FeaturePipeline(FeatureConfig.defaults());
            double[] expected = new double[uninterrupted.size()];
            for (int i = 0; i < acknowledged; i++) {
                MSFT.feed(uninterrupted, i, expected);
            }
            FeatureVector restored = stub.getLatestFeatures(GetLatestFeaturesRequest.newBuilder().setSeriesId(id).build()).getFeatures();
            assertEquals(acknowledged, restored.getObservationCount(), "every acknowledged observation survived the kill");
            TestSeries.assertBitForBit(expected, restored, "after kill -9");
            for (int i = acknowledged; i < acknowledged + 30; i++) {
                MSFT.feed(uninterrupted, i, expected);
                FeatureVector f = stub.ingest(MSFT.request(id, i)).getFeatures();
                TestSeries.assertBitForBit(expected, f, "observation " + i);
                assertEquals(0, f.getGapObservationsToCover(), "the log covered the crash: no gap");
            }
            second.kill();
        }

        // Killed again, and this time its log is gone (as on a pod moved to another node): what it acknowledged after
        // its last snapshot may be lost, so the restored series says it has a gap until its windows cover it.
        try (var files = Files.walk(logDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(logDir)).forEach(p -> p.toFile().delete());
        }
        int warmUp = new FeaturePipeline(FeatureConfig.defaults()).warmUpObservations();
        try (ServiceProcess third = ServiceProcess.start(RUNNER, "crash-it-third", config)) {
            FeatureServiceBlockingStub stub = FeatureServiceGrpc.newBlockingStub(third.channel);
            FeatureVector restored = stub.getLatestFeatures(GetLatestFeaturesRequest.newBuilder().setSeriesId(id).build()).getFeatures();
            assertEquals(warmUp, restored.getGapObservationsToCover(), "a possible gap, covered after a warm-up's worth");
            int next = (int) restored.getObservationCount();
            for (int k = 1; k <= warmUp; k++) {
                FeatureVector f = stub.ingest(MSFT.request(id, next + k - 1)).getFeatures();
                assertEquals(warmUp - k, f.getGapObservationsToCover(), "counts down with every observation");
            }
            third.stop();
        }
        // A clean stop leaves no gap behind, log or not.
        try (ServiceProcess fourth = ServiceProcess.start(RUNNER, "crash-it-fourth", config)) {
            assertEquals(0, FeatureServiceGrpc.newBlockingStub(fourth.channel).getLatestFeatures(GetLatestFeaturesRequest.newBuilder()
                    .setSeriesId(id).build()).getFeatures().getGapObservationsToCover());
        } finally {
            try (var files = Files.walk(logDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
