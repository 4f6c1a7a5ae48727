package dev.arbiter.decision.service;

import static dev.arbiter.decision.testing.Decisions.decision;
import static dev.arbiter.decision.testing.Refusals.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.DatabaseProxyProfile;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.Direction;
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
 * PostgreSQL once it is back, after which the spool is empty.
 */
@QuarkusTest
@TestProfile(DatabaseProxyProfile.class)
class DecisionLogSpoolTest {

    @Inject
    DecisionLog log;

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
