package dev.arbiter.decision.log;

import static dev.arbiter.decision.testing.Decisions.decision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.service.RequestRefused;
import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The decision log against the real PostgreSQL: acknowledged only after commit, group commit, lookups, conflicts. */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class DecisionLogTest {

    @Inject
    DecisionLog log;

    @Inject
    AgroalDataSource db;

    @Inject
    MeterRegistry metrics;

    long batches() {
        return metrics.get("arbiter.decision.log.batch.size").summary().count();
    }

    @Test
    void decisionsAreAcknowledgedOnlyAfterTheirCommitAndConcurrentOnesShareCommits() throws Exception {
        String series = "group-" + UUID.randomUUID();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        long batchesBefore;
        // Hold the table so the writer's first commit waits: nothing may be acknowledged meanwhile, and everything
        // appended while it waits must go in (at most) one further transaction.
        try (Connection lock = db.getConnection()) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE decision.decision IN EXCLUSIVE MODE");
            }
            batchesBefore = batches();
            for (int i = 0; i < 200; i++) {
                acks.add(log.append(decision(series, 1_000 + i, Direction.DIRECTION_FLAT, 0, 0.5, "live").build()));
            }
            assertTrue(acks.stream().noneMatch(CompletableFuture::isDone), "nothing is acknowledged before it is committed");
            lock.rollback();
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
        long used = batches() - batchesBefore;
        assertTrue(used <= 2, "200 decisions appended while a commit waited went in " + used + " transactions");
        assertEquals(200, count("SELECT count(*) FROM decision.decision WHERE series_id = '" + series + "'"));
    }

    @Test
    void aRowPostgresRefusesIsDeadLetteredAndTheRestOfItsBatchIsCommitted() throws Exception {
        String series = "refused-" + UUID.randomUUID();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        CompletableFuture<Void> poisoned;
        long deadBefore = log.deadLettered();
        // One batch: the writer waits on the held table while all eleven are appended.
        try (Connection lock = db.getConnection()) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE decision.decision IN EXCLUSIVE MODE");
            }
            for (int i = 0; i < 5; i++) {
                acks.add(log.append(decision(series, 1_000 + i, Direction.DIRECTION_FLAT, 0, 0.5, "live").build()));
            }
            poisoned = log.append(decision(series + "\u0000", 2_000, Direction.DIRECTION_FLAT, 0, 0.5, "live").build());
            for (int i = 5; i < 10; i++) {
                acks.add(log.append(decision(series, 1_000 + i, Direction.DIRECTION_FLAT, 0, 0.5, "live").build()));
            }
            lock.rollback();
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> poisoned.get(30, TimeUnit.SECONDS));
        RequestRefused refused = assertInstanceOf(RequestRefused.class, e.getCause());
        assertEquals(Status.Code.INTERNAL, refused.code(), "a row the database refuses is a server fault, not acknowledged");
        assertEquals(10, count("SELECT count(*) FROM decision.decision WHERE series_id = '" + series + "'"));
        assertEquals(1, count("SELECT count(*) FROM decision.decision_dead_letter WHERE series_id = '" + series + "\\u0000'"));
        assertEquals(deadBefore + 1, log.deadLettered());
        assertFalse(log.spooling(), "a refused row is not an unreachable database");
        assertEquals(1.0, metrics.get("arbiter.decision.log.dead.letters").counter().count() - deadBefore, 1e-9);
    }

    @Test
    void aLoggedDecisionIsFoundByIdAndByObservation() throws Exception {
        Decision d = decision("find-" + UUID.randomUUID(), 42, Direction.DIRECTION_LONG, 0.1, 0.7, "live", "edge", true, "agreement", false).build();
        log.append(d).get();
        assertEquals(d, log.find(d.getDecisionId()).orElseThrow());
        assertEquals(d, log.findBySeriesAndTs(d.getSeriesId(), 42).orElseThrow());
        assertTrue(log.findBySeriesAndTs(d.getSeriesId(), 43).isEmpty());
        assertTrue(log.find(UUID.randomUUID().toString()).isEmpty());
        assertEquals(1, count("SELECT count(*) FROM decision.decision WHERE decision_id = '" + d.getDecisionId()
                + "' AND acted AND direction = 1 AND blocked = ARRAY['agreement'] AND gates = ARRAY['edge', 'agreement']"));
    }

    @Test
    void aSecondDecisionOfTheSameObservationIsRefusedAndTheFirstStays() throws Exception {
        String series = "twice-" + UUID.randomUUID();
        Decision first = decision(series, 7, Direction.DIRECTION_FLAT, 0, 0.5, "live").build();
        log.append(first).get();
        Decision second = decision(series, 7, Direction.DIRECTION_LONG, 0.1, 0.9, "live").build();
        ExecutionException e = assertThrows(ExecutionException.class, () -> log.append(second).get());
        RequestRefused refused = assertInstanceOf(RequestRefused.class, e.getCause());
        assertEquals(Status.Code.ALREADY_EXISTS, refused.code());
        assertEquals(first, log.findBySeriesAndTs(series, 7).orElseThrow());
        assertTrue(log.find(second.getDecisionId()).isEmpty());
    }

    @Test
    void aDecisionWithoutAUuidIsNotLogged() {
        Decision bad = decision("bad-id", 1, Direction.DIRECTION_FLAT, 0, 0.5, "live").setDecisionId("nope").build();
        CompletableFuture<Void> f = log.append(bad);
        assertTrue(f.isCompletedExceptionally());
        assertFalse(log.spooling());
    }

    long count(String sql) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
