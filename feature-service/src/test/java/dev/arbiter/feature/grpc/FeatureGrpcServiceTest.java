package dev.arbiter.feature.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.features.FeatureBatch;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.feature.TestSeries;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.FeatureInfo;
import dev.arbiter.proto.v1.FeatureRole;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.GetLatestFeaturesRequest;
import dev.arbiter.proto.v1.IngestOutcome;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.ListSeriesRequest;
import dev.arbiter.proto.v1.ListSeriesResponse;
import dev.arbiter.proto.v1.MutinyFeatureServiceGrpc.MutinyFeatureServiceStub;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A real series through real gRPC calls gives exactly the engine's batch features. */
@QuarkusTest
class FeatureGrpcServiceTest {

    static final TestSeries MSFT = TestSeries.msft();

    @GrpcClient("features")
    FeatureServiceBlockingStub blocking;

    @GrpcClient("features")
    MutinyFeatureServiceStub mutiny;

    static double[] expected() {
        return FeatureBatch.compute(FeatureConfig.defaults(), MSFT.ts(), MSFT.open(), MSFT.high(), MSFT.low(), MSFT.close(), MSFT.volume());
    }

    static void assertRow(double[] expected, int row, FeatureVector v) {
        int width = v.getValuesCount();
        for (int j = 0; j < width; j++) {
            // Identical doubles: the service runs the very code the batch API runs.
            assertEquals(
                    Double.doubleToLongBits(expected[row * width + j]),
                    Double.doubleToLongBits(v.getValues(j)),
                    "row " + row + " feature " + j);
        }
    }

    @Test
    void schemaIsTheEnginesDefaultSchema() {
        FeatureSchema schema = blocking.getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance());
        dev.arbiter.engine.features.FeatureSchema engine = new FeaturePipeline(FeatureConfig.defaults()).schema();
        assertEquals(engine.id(), schema.getSchemaId());
        assertEquals(engine.names(), schema.getNamesList());
        assertEquals("5,10,20,50", schema.getParametersMap().get("sma_windows"));
        assertEquals(engine.names(), schema.getFeaturesList().stream().map(FeatureInfo::getName).toList());
        assertEquals(FeatureRole.FEATURE_ROLE_VOLATILITY, schema.getFeatures(engine.indexOf("vol_50")).getRole());
        assertEquals(FeatureRole.FEATURE_ROLE_CALENDAR, schema.getFeatures(engine.indexOf("dow_cos")).getRole());
        // the policy's two inputs, and only they, are marked
        assertEquals(List.of("vol_20:FEATURE_ROLE_VOLATILITY", "efficiency_ratio_14:FEATURE_ROLE_TREND_STRENGTH"),
                schema.getFeaturesList().stream().filter(FeatureInfo::getPolicyInput).map(f -> f.getName() + ":" + f.getRole()).toList());
        assertTrue(schema.getFeaturesList().stream().noneMatch(f -> f.getRole() == FeatureRole.FEATURE_ROLE_UNSPECIFIED));
        for (dev.arbiter.engine.features.FeatureRole r : dev.arbiter.engine.features.FeatureRole.values()) {
            assertEquals("FEATURE_ROLE_" + r.name(), FeatureRole.forNumber(r.ordinal() + 1).name(), "the contract's roles follow the engine's");
        }
    }

    @Test
    void unaryIngestOfARealSeriesMatchesTheBatchApi() {
        String id = "msft-unary-" + UUID.randomUUID();
        double[] expected = expected();
        for (int i = 0; i < MSFT.size(); i++) {
            IngestResponse r = blocking.ingest(MSFT.request(id, i));
            assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, r.getOutcome());
            assertEquals(i + 1, r.getFeatures().getObservationCount());
            assertEquals(MSFT.ts()[i], r.getFeatures().getTsMicros());
            assertRow(expected, i, r.getFeatures());
        }
        FeatureVector latest = blocking.getLatestFeatures(GetLatestFeaturesRequest.newBuilder().setSeriesId(id).build()).getFeatures();
        assertRow(expected, MSFT.size() - 1, latest);
        assertTrue(latest.getWarm(), "249 observations fill every default window");
    }

    @Test
    void aSeriesFromThe1960sIsTakenWithTheSameFeatures() {
        // 1,700 weeks back: the MSFT year (2000-09 .. 2001-09) lands in 1968-1969 on the same weekdays and times of
        // day, so every feature, the calendar ones included, must come out bit for bit as for the original dates.
        dev.arbiter.feature.TestSeries sixties = MSFT.shifted(-1_700L * 7 * 86_400_000_000L);
        assertTrue(java.time.Instant.ofEpochSecond(sixties.ts()[0] / 1_000_000).toString().startsWith("1968-")
                && sixties.ts()[sixties.size() - 1] < 0, "1968 to 1969: " + sixties.ts()[0]);
        String id = "msft-sixties-" + UUID.randomUUID();
        double[] expected = expected();
        for (int i = 0; i < sixties.size(); i++) {
            IngestResponse r = blocking.ingest(sixties.request(id, i));
            assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, r.getOutcome());
            assertEquals(sixties.ts()[i], r.getFeatures().getTsMicros());
            assertRow(expected, i, r.getFeatures());
        }
    }

    @Test
    void streamingIngestAnswersEveryObservationInOrder() {
        String id = "msft-stream-" + UUID.randomUUID();
        double[] expected = expected();
        List<IngestResponse> responses = mutiny.ingestStream(Multi.createFrom().iterable(MSFT.requests(id, 0, MSFT.size())))
                .collect().asList()
                .await().atMost(Duration.ofSeconds(30));
        assertEquals(MSFT.size(), responses.size());
        for (int i = 0; i < responses.size(); i++) {
            assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, responses.get(i).getOutcome());
            assertRow(expected, i, responses.get(i).getFeatures());
        }
        assertFalse(responses.get(0).getFeatures().getWarm());
    }

    @Test
    void listSeriesPagesThroughEverySeriesOnce() {
        String prefix = "list-" + UUID.randomUUID() + "-";
        for (int s = 0; s < 5; s++) {
            blocking.ingest(MSFT.request(prefix + s, 0));
        }
        Set<String> seen = new HashSet<>();
        String token = "";
        int pages = 0;
        do {
            ListSeriesResponse page = blocking.listSeries(ListSeriesRequest.newBuilder().setPageSize(2).setPageToken(token).build());
            page.getSeriesList().forEach(info -> assertTrue(seen.add(info.getSeriesId()), "listed twice: " + info.getSeriesId()));
            assertTrue(page.getTotalSeries() >= 5);
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        for (int s = 0; s < 5; s++) {
            assertTrue(seen.contains(prefix + s));
        }
        assertTrue(pages >= 3);
    }
}
