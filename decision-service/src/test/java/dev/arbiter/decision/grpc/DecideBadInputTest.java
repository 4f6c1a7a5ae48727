package dev.arbiter.decision.grpc;

import static dev.arbiter.decision.testing.Refusals.invalid;
import static dev.arbiter.decision.testing.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.GetLatestFeaturesRequest;
import dev.arbiter.proto.v1.MutinyDecisionServiceGrpc.MutinyDecisionServiceStub;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.RawRequests;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input Decide and DecideStream can receive: a status naming the field (unary), a Problem (stream).
 * Against a real feature-service and model-service.
 */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class DecideBadInputTest {

    static final long TS = 1_700_000_000_000_000L;

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @GrpcClient("decision")
    MutinyDecisionServiceStub streams;

    String series;

    @BeforeEach
    void freshSeries() {
        series = "bad-" + UUID.randomUUID();
    }

    static Observation.Builder ok(String series, long ts) {
        return Observation.newBuilder().setSeriesId(series).setTsMicros(ts).setValue(100).setOpen(99).setHigh(101).setLow(98).setVolume(1000);
    }

    /**
     * A good observation with a budget no cold start can overrun: the tests below need it to reach feature-service
     * (a first decision degraded for lack of time would leave the series unknown there, and an older observation
     * would then be its first, not a refusal).
     */
    DecideRequest good(long ts) {
        return DecideRequest.newBuilder().setObservation(ok(series, ts)).setLatencyBudgetMs(5000).build();
    }

    /** {@link #good}, decided, and checked to have gone through feature-service. */
    Decision decidedWithFeatures(long ts) {
        Decision d = decisions.decide(good(ts));
        assertFalse(d.getDegraded(), d.getDegradedReason());
        return d;
    }

    DecideRequest request(UnaryOperator<Observation.Builder> change) {
        return DecideRequest.newBuilder().setObservation(change.apply(ok(series, TS))).build();
    }

    /** Each bad input with the field its refusal must name. */
    record Bad(String what, String field, DecideRequest request) {}

    List<Bad> bad() {
        List<Bad> b = new ArrayList<>();
        b.add(new Bad("no observation", "observation", DecideRequest.newBuilder().setLatencyBudgetMs(10).build()));
        b.add(new Bad("empty series id", "observation.series_id", request(o -> o.setSeriesId(""))));
        b.add(new Bad("blank series id", "observation.series_id", request(o -> o.setSeriesId("   "))));
        b.add(new Bad("series id too long", "observation.series_id", request(o -> o.setSeriesId("s".repeat(201)))));
        b.add(new Bad("NUL in series id", "observation.series_id", request(o -> o.setSeriesId("ab\u0000cd"))));
        b.add(new Bad("control character in series id", "observation.series_id", request(o -> o.setSeriesId("ab\u001bcd"))));
        b.add(new Bad("line break in series id", "observation.series_id", request(o -> o.setSeriesId("ab\ncd"))));
        b.add(new Bad("C1 control in series id", "observation.series_id", request(o -> o.setSeriesId("ab\u0085cd"))));
        b.add(new Bad("ts 0", "observation.ts_micros", request(o -> o.setTsMicros(0))));
        b.add(new Bad("ts before 1800", "observation.ts_micros", request(o -> o.setTsMicros(dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1))));
        b.add(new Bad("ts in year 3000", "observation.ts_micros", request(o -> o.setTsMicros(32_503_680_000_000_000L))));
        b.add(new Bad("ts in nanoseconds", "observation.ts_micros", request(o -> o.setTsMicros(1_700_000_000_000_000_000L))));
        b.add(new Bad("value NaN", "observation.value", request(o -> o.setValue(Double.NaN))));
        b.add(new Bad("value +inf", "observation.value", request(o -> o.setValue(Double.POSITIVE_INFINITY))));
        b.add(new Bad("value 0", "observation.value", request(o -> o.setValue(0))));
        b.add(new Bad("value negative", "observation.value", request(o -> o.setValue(-3))));
        b.add(new Bad("open NaN", "observation.open", request(o -> o.setOpen(Double.NaN))));
        b.add(new Bad("high +inf", "observation.high", request(o -> o.setHigh(Double.POSITIVE_INFINITY))));
        b.add(new Bad("low -inf", "observation.low", request(o -> o.setLow(Double.NEGATIVE_INFINITY))));
        b.add(new Bad("volume NaN", "observation.volume", request(o -> o.setVolume(Double.NaN))));
        b.add(new Bad("volume negative", "observation.volume", request(o -> o.setVolume(-1))));
        b.add(new Bad("high below low", "observation.high", request(o -> o.setHigh(97).setLow(98))));
        b.add(new Bad("budget too large", "latency_budget_ms", request(o -> o).toBuilder().setLatencyBudgetMs(60_001).build()));
        b.add(new Bad("unknown variant", "variant_name", request(o -> o).toBuilder().setVariantName("no-such-variant").build()));
        return b;
    }

    @Test
    void decideRefusesEveryBadInputWithInvalidArgumentNamingTheFieldAndAsksNoDependency() {
        for (Bad b : bad()) {
            invalid(b.field(), () -> decisions.decide(b.request()));
        }
        // The series' good-looking refusals (an unknown variant, a budget too large) would have been its first
        // observation: feature-service has never heard of it.
        var features = FeatureServiceGrpc.newBlockingStub(RealDependenciesProfile.services.features.channel);
        StatusRuntimeException unknown = refused(Status.Code.NOT_FOUND, "series_id",
                () -> features.getLatestFeatures(GetLatestFeaturesRequest.newBuilder().setSeriesId(series).build()));
        assertTrue(unknown.getStatus().getDescription().contains(series), unknown.getStatus().getDescription());
    }

    @Test
    void anObservationOlderThanTheSeriesLastIsFailedPrecondition() {
        decidedWithFeatures(TS);
        refused(Status.Code.FAILED_PRECONDITION, "observation.ts_micros",
                () -> decisions.decide(good(TS - 1)));
    }

    @Test
    void theSameTimestampWithOtherValuesIsAlreadyExists() {
        decidedWithFeatures(TS);
        refused(Status.Code.ALREADY_EXISTS, "observation.ts_micros",
                () -> decisions.decide(good(TS).toBuilder().setObservation(ok(series, TS).setValue(100.5)).build()));
    }

    @Test
    void aDuplicateObservationIsAnsweredWithTheOriginalDecision() {
        Decision first = decidedWithFeatures(TS);
        Decision again = decisions.decide(good(TS));
        assertFalse(first.getDuplicate());
        assertTrue(again.getDuplicate());
        assertEquals(first.getDecisionId(), again.getDecisionId());
        assertEquals(first.toBuilder().setDuplicate(true).build(), again, "the original decision, as logged");
    }

    @Test
    void theStreamAnswersEveryRequestInOrderWithAProblemForEachBadOneAndGoesOn() {
        List<Bad> bad = bad();
        List<DecideRequest> requests = new ArrayList<>();
        long ts = TS;
        requests.add(good(ts));
        for (Bad b : bad) {
            requests.add(b.request());
            ts += 1_000_000;
            requests.add(good(ts));
        }
        requests.add(good(TS - 1)); // older than the last
        requests.add(good(ts + 1_000_000));

        List<DecideStreamResponse> responses = streams.decideStream(Multi.createFrom().iterable(requests))
                .collect().asList().await().atMost(Duration.ofSeconds(60));

        assertEquals(requests.size(), responses.size(), "one response per request");
        assertTrue(responses.get(0).hasDecision());
        for (int i = 0; i < bad.size(); i++) {
            DecideStreamResponse problem = responses.get(1 + 2 * i);
            DecideStreamResponse next = responses.get(2 + 2 * i);
            assertTrue(problem.hasProblem(), bad.get(i).what() + ": " + problem);
            assertEquals(Status.Code.INVALID_ARGUMENT.value(), problem.getProblem().getCode(), bad.get(i).what());
            assertEquals(bad.get(i).field(), problem.getProblem().getField(), bad.get(i).what());
            assertTrue(problem.getProblem().getMessage().contains(bad.get(i).field()), problem.getProblem().getMessage());
            assertTrue(next.hasDecision(), "the stream goes on after " + bad.get(i).what());
            assertEquals(requests.get(2 + 2 * i).getObservation().getTsMicros(), next.getDecision().getTsMicros(), "in order");
        }
        DecideStreamResponse older = responses.get(responses.size() - 2);
        assertEquals(Status.Code.FAILED_PRECONDITION.value(), older.getProblem().getCode(), older.toString());
        assertEquals("observation.ts_micros", older.getProblem().getField());
        assertTrue(responses.get(responses.size() - 1).hasDecision());
        int highWater = StreamFlowControl.HIGH_WATER.get();
        assertTrue(highWater >= 1 && highWater <= 8,
                "the stream was flow-controlled: at most arbiter.decision.stream-window requests in flight, saw " + highWater);
    }

    @Test
    void invalidUtf8InTheSeriesIdIsInvalidArgumentNotUnknown() {
        DecideRequest request = DecideRequest.newBuilder().setObservation(ok(series + "~Q~", TS)).setLatencyBudgetMs(5000).build();
        invalid("observation.series_id", () -> RawRequests.unary(decisions.getChannel(), DecisionServiceGrpc.getDecideMethod(),
                RawRequests.withLoneSurrogate(request, "~Q~")));
    }
}
