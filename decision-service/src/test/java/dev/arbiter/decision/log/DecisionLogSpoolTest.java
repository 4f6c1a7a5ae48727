package dev.arbiter.decision.log;

import static dev.arbiter.decision.testing.Decisions.decision;
import static dev.arbiter.decision.testing.Decisions.nowMicros;
import static dev.arbiter.decision.testing.Refusals.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.DatabaseProxyProfile;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.GetPerformanceResponse;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.ReportOutcomeResponse;
import dev.arbiter.proto.v1.TimeRange;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away under the running service (its connections go through a proxy the test cuts): decisions are
 * still acknowledged — fsynced in the local spool — are found by id and by observation meanwhile, and are moved into
 * PostgreSQL once it is back, after which the spool is empty. A row PostgreSQL refuses for its data at the head of the
 * spool goes to the dead letters and the rest drains behind it; outcomes and performance then work as before.
 */
@QuarkusTest
@TestProfile(DatabaseProxyProfile.class)
class DecisionLogSpoolTest {

    @Inject
    DecisionLog log;

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Test
    void decisionsGoOnWhilePostgresIsDownAndReachItWhenItIsBack() throws Exception {
        String series = "spool-" + UUID.randomUUID();
        log.append(decision(series, 1, Direction.DIRECTION_FLAT, 0, 0.5, "live").build()).get(30, TimeUnit.SECONDS);
        assertEquals(1, countInPostgres(series));

        DatabaseProxyProfile.proxy.cut();
        List<Decision> during = new ArrayList<>();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int ts = 2; ts <= 101; ts++) {
            Decision d = decision(series, ts, ts % 2 == 0 ? Direction.DIRECTION_LONG : Direction.DIRECTION_FLAT, 0.01, 0.7, "live").build();
            during.add(d);
            acks.add(log.append(d));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertTrue(log.spooling());
        assertEquals(100, log.spooled(), "every acknowledged decision is in the spool");
        assertEquals(1, countInPostgres(series), "nothing reached PostgreSQL meanwhile");
        Decision some = during.get(41);
        assertEquals(some, log.find(some.getDecisionId()).orElseThrow(), "spooled decisions are found by id");
        assertEquals(some, log.findBySeriesAndTs(series, some.getTsMicros()).orElseThrow(), "and by observation");

        DatabaseProxyProfile.proxy.restore();
        await("the spool drains into PostgreSQL", 60, () -> log.spooled() == 0 && !log.spooling());
        assertEquals(101, countInPostgres(series));
        log.append(decision(series, 102, Direction.DIRECTION_FLAT, 0, 0.5, "live").build()).get(30, TimeUnit.SECONDS);
        assertEquals(102, countInPostgres(series), "and decisions go straight to PostgreSQL again");
    }

    @Test
    void aRowRefusedAtTheHeadOfTheSpoolGoesToTheDeadLettersAndTheRestDrainsBehindIt() throws Exception {
        String series = "poison-" + UUID.randomUUID();
        long now = nowMicros();
        // What the decide path now refuses up front, logged directly: PostgreSQL's text cannot hold NUL (SQLSTATE 22021).
        Decision poison = decision(series + "\u0000", now, Direction.DIRECTION_LONG, 0.01, 0.7, "live").build();
        long deadBefore = log.deadLettered();

        DatabaseProxyProfile.proxy.cut();
        log.append(poison).get(30, TimeUnit.SECONDS);
        List<Decision> behind = new ArrayList<>();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            Decision d = decision(series, now + i, Direction.DIRECTION_LONG, 0.01, 0.7, "live").build();
            behind.add(d);
            acks.add(log.append(d));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertEquals(21, log.spooled(), "the refused row is at the head of the spool");

        DatabaseProxyProfile.proxy.restore();
        await("the spool drains past its refused head", 60, () -> log.spooled() == 0 && !log.spooling());
        assertEquals(20, countInPostgres(series), "every row behind the refused one reached the log");
        assertEquals(deadBefore + 1, log.deadLettered());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/arbiter_test", "postgres", "");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT series_id, sql_state, decision FROM decision.decision_dead_letter WHERE decision_id = ?")) {
            ps.setObject(1, UUID.fromString(poison.getDecisionId()));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the refused decision is kept in the dead letters");
                assertEquals(series + "\\u0000", rs.getString(1), "its series id in printable form");
                assertEquals("22021", rs.getString(2));
                assertEquals(poison, Decision.parseFrom(rs.getBytes(3)), "with the decision's bytes as they were");
            }
        }

        // Outcomes and performance see the drained decisions.
        for (int i = 0; i < 4; i++) {
            ReportOutcomeResponse r = decisions.reportOutcome(ReportOutcomeRequest.newBuilder()
                    .setDecisionId(behind.get(i).getDecisionId()).setRealisedReturn(i % 2 == 0 ? 0.02 : -0.01).build());
            assertEquals(OutcomeStatus.OUTCOME_STATUS_JOINED, r.getStatus());
        }
        GetPerformanceResponse p = decisions.getPerformance(GetPerformanceRequest.newBuilder().setSeriesId(series)
                .addVariantNames("live").setRange(TimeRange.newBuilder().setStartTsMicros(now).setEndTsMicros(now + 100)).build());
        PerformanceMetrics m = p.getVariants(0).getMetrics();
        assertEquals(20, m.getDecisionCount());
        assertEquals(4, m.getOutcomeCount());
        assertEquals(2, m.getFalsePositiveActions());
    }

    /** Straight to PostgreSQL, not through the proxy. */
    static long countInPostgres(String series) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/arbiter_test", "postgres", "");
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM decision.decision WHERE series_id = ?")) {
            ps.setString(1, series);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
