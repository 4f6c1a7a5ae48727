package dev.arbiter.decision.grpc;

import static dev.arbiter.decision.testing.Decisions.decision;
import static dev.arbiter.decision.testing.Refusals.invalid;
import static dev.arbiter.decision.testing.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GetDecisionRequest;
import dev.arbiter.proto.v1.ListDecisionsRequest;
import dev.arbiter.proto.v1.ListDecisionsResponse;
import dev.arbiter.proto.v1.TimeRange;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** GetDecision and ListDecisions: filters, newest-first keyset pages, and every bad input. */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class DecisionLogRpcTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    DecisionLog log;

    /** 30 decisions of one series at ts 1..30: every third LONG, in variant "b" when ts is even. */
    List<Decision> thirty(String series) throws Exception {
        List<Decision> all = new ArrayList<>();
        for (int ts = 1; ts <= 30; ts++) {
            Decision d = decision(series, ts, ts % 3 == 0 ? Direction.DIRECTION_LONG : Direction.DIRECTION_FLAT, 0.1, 0.7,
                    ts % 2 == 0 ? "b" : "live").build();
            log.append(d).get();
            all.add(d);
        }
        return all;
    }

    List<Decision> all(ListDecisionsRequest.Builder request) {
        List<Decision> out = new ArrayList<>();
        String token = "";
        do {
            ListDecisionsResponse page = decisions.listDecisions(request.setPageToken(token).build());
            assertTrue(page.getDecisionsCount() <= Math.max(1, request.getPageSize()) || request.getPageSize() == 0);
            out.addAll(page.getDecisionsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    static List<Long> ts(List<Decision> ds) {
        return ds.stream().map(Decision::getTsMicros).toList();
    }

    @Test
    void getsOneDecisionAndListsThemFilteredNewestFirstInPages() throws Exception {
        String series = "list-" + UUID.randomUUID();
        List<Decision> logged = thirty(series);
        assertEquals(logged.get(4), decisions.getDecision(GetDecisionRequest.newBuilder().setDecisionId(logged.get(4).getDecisionId()).build()));

        List<Decision> everything = all(ListDecisionsRequest.newBuilder().setSeriesId(series).setPageSize(7));
        assertEquals(30, everything.size());
        List<Long> expected = new ArrayList<>();
        for (long t = 30; t >= 1; t--) {
            expected.add(t);
        }
        assertEquals(expected, ts(everything), "newest first, nothing twice, nothing missed");

        assertEquals(List.of(30L, 24L, 18L, 12L, 6L), ts(all(ListDecisionsRequest.newBuilder().setSeriesId(series).setVariantName("b")
                .setActedOnly(true).setPageSize(2))));
        assertEquals(List.of(19L, 18L, 17L, 16L, 15L, 14L, 13L, 12L, 11L, 10L), ts(all(ListDecisionsRequest.newBuilder().setSeriesId(series)
                .setRange(TimeRange.newBuilder().setStartTsMicros(10).setEndTsMicros(20)).setPageSize(3))));
        assertEquals(List.of(30L, 29L), ts(all(ListDecisionsRequest.newBuilder().setSeriesId(series)
                .setRange(TimeRange.newBuilder().setStartTsMicros(29)))));
        assertTrue(all(ListDecisionsRequest.newBuilder().setSeriesId(series).setVariantName("nobody")).isEmpty());
    }

    @Test
    void badRequestsAreRefusedNamingTheField() throws Exception {
        String series = "badlist-" + UUID.randomUUID();
        thirty(series);
        invalid("decision_id", () -> decisions.getDecision(GetDecisionRequest.getDefaultInstance()));
        invalid("decision_id", () -> decisions.getDecision(GetDecisionRequest.newBuilder().setDecisionId("12345").build()));
        refused(Status.Code.NOT_FOUND, "decision_id", () -> decisions.getDecision(GetDecisionRequest.newBuilder()
                .setDecisionId(UUID.randomUUID().toString()).build()));

        invalid("page_size", () -> decisions.listDecisions(ListDecisionsRequest.newBuilder().setPageSize(-1).build()));
        invalid("page_token", () -> decisions.listDecisions(ListDecisionsRequest.newBuilder().setPageToken("not a token").build()));
        String token = decisions.listDecisions(ListDecisionsRequest.newBuilder().setSeriesId(series).setPageSize(2).build()).getNextPageToken();
        invalid("page_token", () -> decisions.listDecisions(ListDecisionsRequest.newBuilder().setSeriesId(series).setActedOnly(true)
                .setPageSize(2).setPageToken(token).build()));
        invalid("range.start_ts_micros", () -> decisions.listDecisions(ListDecisionsRequest.newBuilder()
                .setRange(TimeRange.newBuilder().setStartTsMicros(dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1)).build()));
        invalid("range.end_ts_micros", () -> decisions.listDecisions(ListDecisionsRequest.newBuilder()
                .setRange(TimeRange.newBuilder().setEndTsMicros(dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1)).build()));
        invalid("range", () -> decisions.listDecisions(ListDecisionsRequest.newBuilder()
                .setRange(TimeRange.newBuilder().setStartTsMicros(20).setEndTsMicros(10)).build()));
        invalid("series_id", () -> decisions.listDecisions(ListDecisionsRequest.newBuilder().setSeriesId("s".repeat(300)).build()));
        invalid("variant_name", () -> decisions.listDecisions(ListDecisionsRequest.newBuilder().setVariantName("v".repeat(65)).build()));
        assertEquals(30, decisions.listDecisions(ListDecisionsRequest.newBuilder().setSeriesId(series).setPageSize(100000).build())
                .getDecisionsCount(), "a page size above the maximum is lowered, not refused");
    }
}
