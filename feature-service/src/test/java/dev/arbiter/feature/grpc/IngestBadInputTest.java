package dev.arbiter.feature.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.feature.TestSeries;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import dev.arbiter.proto.v1.GetLatestFeaturesRequest;
import dev.arbiter.proto.v1.IngestOutcome;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.ListSeriesRequest;
import dev.arbiter.proto.v1.MutinyFeatureServiceGrpc.MutinyFeatureServiceStub;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.testing.RawRequests;
import dev.arbiter.testing.RefusalAssertions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Every kind of bad input gets a status that names the field and the fix, and changes no state. */
@QuarkusTest
class IngestBadInputTest {

    static final TestSeries MSFT = TestSeries.msft();

    @GrpcClient("features")
    FeatureServiceBlockingStub blocking;

    @GrpcClient("features")
    MutinyFeatureServiceStub mutiny;

    /** A series with its first two observations accepted, so that state exists to be protected. */
    private String seeded() {
        String id = "bad-" + UUID.randomUUID();
        blocking.ingest(MSFT.request(id, 0));
        blocking.ingest(MSFT.request(id, 1));
        return id;
    }

    private StatusRuntimeException refused(String id, UnaryOperator<Observation.Builder> edit) {
        Observation o = edit.apply(MSFT.observation(id, 2).toBuilder()).build();
        return assertThrows(StatusRuntimeException.class, () -> blocking.ingest(IngestRequest.newBuilder().setObservation(o).build()));
    }

    private void assertRefused(Status.Code code, String field, StatusRuntimeException e) {
        RefusalAssertions.assertRefused(code, field, e);
    }

    private long count(String id) {
        return blocking.getLatestFeatures(GetLatestFeaturesRequest.newBuilder().setSeriesId(id).build()).getFeatures().getObservationCount();
    }

    private void assertRefusedAndUnchanged(String field, UnaryOperator<Observation.Builder> edit) {
        String id = seeded();
        assertRefused(Status.Code.INVALID_ARGUMENT, field, refused(id, edit));
        assertEquals(2, count(id), "a refused observation leaves the series as it was");
        assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, blocking.ingest(MSFT.request(id, 2)).getOutcome(), "and the series goes on");
    }

    @Test
    void nanValueIsRefused() {
        assertRefusedAndUnchanged("observation.value", b -> b.setValue(Double.NaN));
    }

    @Test
    void zeroAndNegativeValuesAreRefused() {
        assertRefusedAndUnchanged("observation.value", b -> b.setValue(0));
        assertRefusedAndUnchanged("observation.value", b -> b.setValue(-12.5));
    }

    @Test
    void infiniteValuesAreRefused() {
        assertRefusedAndUnchanged("observation.value", b -> b.setValue(Double.NEGATIVE_INFINITY));
        assertRefusedAndUnchanged("observation.high", b -> b.setHigh(Double.POSITIVE_INFINITY));
        assertRefusedAndUnchanged("observation.volume", b -> b.setVolume(Double.POSITIVE_INFINITY));
    }

    @Test
    void anOptionalFieldSentAsNanIsRefusedNotTakenAsAbsent() {
        assertRefusedAndUnchanged("observation.open", b -> b.setOpen(Double.NaN));
        assertRefusedAndUnchanged("observation.low", b -> b.setLow(Double.NaN));
    }

    @Test
    void highBelowLowIsRefused() {
        assertRefusedAndUnchanged("observation.high", b -> b.setHigh(10).setLow(11));
    }

    @Test
    void negativeVolumeIsRefused() {
        assertRefusedAndUnchanged("observation.volume", b -> b.setVolume(-1));
    }

    @Test
    void aMissingTimestampOrOneBefore1800IsRefused() {
        assertRefusedAndUnchanged("observation.ts_micros", b -> b.clearTsMicros());
        assertRefusedAndUnchanged("observation.ts_micros", b -> b.setTsMicros(dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1)); // 1799
    }

    @Test
    void aTimestampFarAheadOfTheServerClockIsRefused() {
        assertRefusedAndUnchanged("observation.ts_micros", b -> b.setTsMicros(32_503_680_000_000_000L)); // year 3000
        assertRefusedAndUnchanged("observation.ts_micros", b -> b.setTsMicros(1_700_000_000_000_000_000L)); // nanoseconds
    }

    @Test
    void missingSeriesIdIsRefused() {
        StatusRuntimeException e = refused("", b -> b);
        assertRefused(Status.Code.INVALID_ARGUMENT, "observation.series_id", e);
        e = refused("   ", b -> b);
        assertRefused(Status.Code.INVALID_ARGUMENT, "observation.series_id", e);
    }

    @Test
    void aSeriesIdWithNulOrControlCharactersIsRefused() {
        for (String id : new String[] {"ab\u0000cd", "ab\u001bcd", "ab\ncd", "ab\u009fcd"}) {
            assertRefused(Status.Code.INVALID_ARGUMENT, "observation.series_id", refused(id, b -> b));
        }
    }

    @Test
    void overlongSeriesIdIsRefused() {
        assertRefused(Status.Code.INVALID_ARGUMENT, "observation.series_id", refused("x".repeat(201), b -> b));
    }

    @Test
    void missingObservationIsRefused() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking.ingest(IngestRequest.getDefaultInstance()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "observation", e);
    }

    @Test
    void olderTimestampIsRefusedByDefault() {
        String id = seeded();
        Observation older = MSFT.observation(id, 0).toBuilder().setValue(1.0).build();
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class, () -> blocking.ingest(IngestRequest.newBuilder().setObservation(older).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "observation.ts_micros", e);
        assertTrue(e.getStatus().getDescription().contains("in time order"), "says what the client can do");
        assertFalse(e.getStatus().getDescription().contains("arbiter."), "advises no server setting: that is the operator's, in the README");
        assertEquals(2, count(id));
    }

    @Test
    void repeatedTimestampIsIdempotent() {
        String id = seeded();
        IngestResponse first = blocking.ingest(MSFT.request(id, 2));
        IngestResponse again = blocking.ingest(MSFT.request(id, 2));
        assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, first.getOutcome());
        assertEquals(IngestOutcome.INGEST_OUTCOME_DUPLICATE, again.getOutcome());
        assertEquals(first.getFeatures(), again.getFeatures(), "the same answer");
        assertEquals(3, count(id), "state advanced once");
    }

    @Test
    void repeatedTimestampWithOtherValuesIsRefused() {
        String id = seeded();
        Observation changed = MSFT.observation(id, 1).toBuilder().setValue(MSFT.close()[1] + 1).build();
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class, () -> blocking.ingest(IngestRequest.newBuilder().setObservation(changed).build()));
        assertRefused(Status.Code.ALREADY_EXISTS, "observation.ts_micros", e);
        assertEquals(2, count(id));
    }

    @Test
    void oversizedMessageIsRefusedBeforeItReachesTheService() {
        // 65,536 bytes is feature-service's max-inbound-message-size.
        Observation huge = MSFT.observation("big", 0).toBuilder().setSeriesId("y".repeat(70_000)).build();
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class, () -> blocking.ingest(IngestRequest.newBuilder().setObservation(huge).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
    }

    @Test
    void aStreamAnswersRepeatedAndOlderTimestampsAsTheContractSays() {
        String id = seeded(); // ts 0 and 1
        List<IngestRequest> requests = List.of(
                MSFT.request(id, 1), // the same again: DUPLICATE
                IngestRequest.newBuilder().setObservation(MSFT.observation(id, 1).toBuilder().setValue(MSFT.close()[1] + 1)).build(),
                MSFT.request(id, 0), // older than the last
                MSFT.request(id, 2));
        List<IngestResponse> responses = mutiny.ingestStream(Multi.createFrom().iterable(requests))
                .collect().asList()
                .await().atMost(Duration.ofSeconds(30));
        assertEquals(IngestOutcome.INGEST_OUTCOME_DUPLICATE, responses.get(0).getOutcome());
        assertEquals(IngestOutcome.INGEST_OUTCOME_REJECTED, responses.get(1).getOutcome());
        assertEquals(Status.Code.ALREADY_EXISTS.value(), responses.get(1).getProblem().getCode());
        assertEquals("observation.ts_micros", responses.get(1).getProblem().getField());
        assertEquals(IngestOutcome.INGEST_OUTCOME_REJECTED, responses.get(2).getOutcome());
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), responses.get(2).getProblem().getCode());
        assertEquals("observation.ts_micros", responses.get(2).getProblem().getField());
        assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, responses.get(3).getOutcome());
        assertEquals(3, count(id), "only the newer observation moved the series on");
    }

    @Test
    void aBadObservationInAStreamIsAnsweredWithAProblemAndTheStreamGoesOn() {
        String id = "stream-bad-" + UUID.randomUUID();
        List<IngestRequest> requests = new ArrayList<>(MSFT.requests(id, 0, 3));
        requests.add(IngestRequest.newBuilder()
                .setObservation(MSFT.observation(id, 3).toBuilder().setValue(Double.NaN))
                .build());
        requests.add(IngestRequest.getDefaultInstance());
        requests.addAll(MSFT.requests(id, 3, 6));
        List<IngestResponse> responses = mutiny.ingestStream(Multi.createFrom().iterable(requests))
                .collect().asList()
                .await().atMost(Duration.ofSeconds(30));
        assertEquals(requests.size(), responses.size());
        IngestResponse nan = responses.get(3);
        assertEquals(IngestOutcome.INGEST_OUTCOME_REJECTED, nan.getOutcome());
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), nan.getProblem().getCode());
        assertEquals("observation.value", nan.getProblem().getField());
        assertEquals("observation", responses.get(4).getProblem().getField());
        for (int i : new int[] {0, 1, 2, 5, 6, 7}) {
            assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, responses.get(i).getOutcome(), "response " + i);
        }
        assertEquals(6, count(id), "every good observation, before and after the bad ones, was kept");
    }

    @Test
    void latestFeaturesOfAnUnknownOrMissingSeries() {
        StatusRuntimeException unknown = assertThrows(
                StatusRuntimeException.class,
                () -> blocking.getLatestFeatures(GetLatestFeaturesRequest.newBuilder().setSeriesId("never-" + UUID.randomUUID()).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        StatusRuntimeException missing = assertThrows(
                StatusRuntimeException.class, () -> blocking.getLatestFeatures(GetLatestFeaturesRequest.getDefaultInstance()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "series_id", missing);
    }

    @Test
    void badListSeriesPagingIsRefused() {
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "page_size",
                assertThrows(StatusRuntimeException.class, () -> blocking.listSeries(ListSeriesRequest.newBuilder().setPageSize(-1).build())));
        // Above the maximum is lowered to it, as the paging convention in common.proto says.
        assertTrue(blocking.listSeries(ListSeriesRequest.newBuilder().setPageSize(5000).build()).getSeriesCount() <= 1000);
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "page_token",
                assertThrows(StatusRuntimeException.class, () -> blocking.listSeries(ListSeriesRequest.newBuilder().setPageToken("%%%").build())));
    }

    @Test
    void invalidUtf8IsRefusedNamingTheFieldAndChangesNothing() {
        String id = seeded();
        IngestRequest good = IngestRequest.newBuilder().setObservation(MSFT.observation(id + "~Q~", 2)).build();
        byte[] bad = RawRequests.withLoneSurrogate(good, "~Q~");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> RawRequests.unary(blocking.getChannel(), FeatureServiceGrpc.getIngestMethod(), bad));
        assertRefused(Status.Code.INVALID_ARGUMENT, "observation.series_id", e);
        assertTrue(e.getStatus().getDescription().contains("UTF-8"), e.getStatus().getDescription());
        assertEquals(2, count(id), "the series is untouched");
        // the same bytes with the marker left in are a valid request
        assertEquals(IngestOutcome.INGEST_OUTCOME_ACCEPTED, RawRequests.unary(blocking.getChannel(), FeatureServiceGrpc.getIngestMethod(),
                good.toByteArray()).getOutcome());
    }
}
