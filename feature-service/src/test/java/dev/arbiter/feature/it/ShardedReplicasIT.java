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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two feature-service processes sharing their series through Redis ({@code arbiter.features.sharded}): observations
 * of the same series go to either replica in a random order (as when series move between replicas while the
 * replicas disagree on who holds what), and every answer is bit for bit the uninterrupted pipeline's; after a kill -9
 * of one replica the other continues every series, nothing acknowledged lost.
 */
class ShardedReplicasIT {

    static final TestSeries MSFT = TestSeries.msft();
    static final String RUNNER = "feature-service.runner";

    @Test
    void seriesMovingBetweenReplicasAtAnyTimeContinueBitForBitAndSurviveAKill() {
        Map<String, String> config = Map.of(
                "arbiter.features.sharded", "true",
                "arbiter.features.snapshot.key-prefix", "arbiter-it:features:" + UUID.randomUUID() + ":",
                "arbiter.features.snapshot.ttl", "10m");
        List<String> ids = List.of("shared-a", "shared-b", "shared-c");
        int total = 160;
        int killAt = 100;
        Random random = new Random(42);
        try (ServiceProcess first = ServiceProcess.start(RUNNER, "sharded-it-first", config);
                ServiceProcess second = ServiceProcess.start(RUNNER, "sharded-it-second", config)) {
            List<FeatureServiceBlockingStub> replicas = List.of(FeatureServiceGrpc.newBlockingStub(first.channel),
                    FeatureServiceGrpc.newBlockingStub(second.channel));
            for (String id : ids) {
                FeaturePipeline uninterrupted = new FeaturePipeline(FeatureConfig.defaults());
                double[] expected = new double[uninterrupted.size()];
                for (int i = 0; i < killAt; i++) {
                    MSFT.feed(uninterrupted, i, expected);
                    FeatureServiceBlockingStub replica = replicas.get(random.nextInt(2));
                    IngestResponse r = replica.ingest(MSFT.request(id, i));
                    assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, r.getOutcome(), id + " observation " + i);
                    TestSeries.assertBitForBit(expected, r.getFeatures(), id + " observation " + i);
                    // a retry that reaches the other replica is the duplicate it is, not a second observation
                    IngestResponse retry = replicas.get(random.nextInt(2)).ingest(MSFT.request(id, i));
                    assertEquals(IngestOutcome.INGEST_OUTCOME_DUPLICATE, retry.getOutcome(), id + " retry of " + i);
                }
                // either replica answers the latest features, whichever wrote them
                for (FeatureServiceBlockingStub replica : replicas) {
                    FeatureVector latest = replica.getLatestFeatures(GetLatestFeaturesRequest.newBuilder().setSeriesId(id).build()).getFeatures();
                    TestSeries.assertBitForBit(expected, latest, id + " latest");
                }
            }

            first.kill(); // its copies of every series die with it: the survivor continues from Redis
            for (String id : ids) {
                FeaturePipeline uninterrupted = new FeaturePipeline(FeatureConfig.defaults());
                double[] expected = new double[uninterrupted.size()];
                for (int i = 0; i < killAt; i++) {
                    MSFT.feed(uninterrupted, i, expected);
                }
                for (int i = killAt; i < total; i++) {
                    MSFT.feed(uninterrupted, i, expected);
                    IngestResponse r = replicas.get(1).ingest(MSFT.request(id, i));
                    assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, r.getOutcome(), id + " observation " + i);
                    TestSeries.assertBitForBit(expected, r.getFeatures(), id + " observation " + i + " after the kill");
                    assertEquals(0, r.getFeatures().getGapObservationsToCover(), "no gap: nothing acknowledged was lost");
                }
            }
        }
    }
}
