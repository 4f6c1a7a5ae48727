package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DegradedCause;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.RefusalAssertions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Integration test (packaged services as processes, real PostgreSQL and Redis): model-service, then feature-service,
 * hangs (SIGSTOP) and recovers, then model-service, then feature-service, is stopped in the middle of a series; the next decisions are FLAT, degraded, say which dependency failed and how,
 * and arrive within the one-second deadline the client sets on every call (a late answer would fail the call with
 * DEADLINE_EXCEEDED, failing the test).
 */
class DegradationIT {

    static ServiceStack stack;

    @BeforeAll
    static void start() throws Exception {
        // feature-service holds at most two series: this test's and the one that fills the cap
        // the test counts the calls that open a circuit: five failures in five calls
        stack = ServiceStack.start("degradation-it", Map.of("arbiter.decision.breaker.window", "5",
                "arbiter.decision.breaker.failure-ratio", "1.0"), Map.of("arbiter.features.max-series", "2"));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void stoppingADependencyMidSeriesDegradesTheNextDecisionsSafelyAndInTime() {
        Iterator<Observation> observations = Msft.observations("degrade-" + UUID.randomUUID(), 120).iterator();
        DecisionServiceBlockingStub decisions = DecisionServiceGrpc.newBlockingStub(stack.decisions.channel);
        for (int i = 0; i < 60; i++) {
            assertWhole(decisions, observations.next());
        }

        // A series beyond feature-service's cap is refused, naming the series id, and the accepted ones go on.
        assertWhole(decisions, Msft.observations("second-" + UUID.randomUUID(), 1).get(0));
        StatusRuntimeException full = assertThrows(StatusRuntimeException.class, () -> decisions.withDeadlineAfter(10,
                TimeUnit.SECONDS).decide(DecideRequest.newBuilder().setObservation(Msft.observations("third-"
                + UUID.randomUUID(), 1).get(0)).setLatencyBudgetMs(5000).build()));
        RefusalAssertions.assertRefused(Status.Code.RESOURCE_EXHAUSTED, "observation.series_id", full);
        assertTrue(full.getStatus().getDescription().contains("feature-service: "), full.getStatus().getDescription());
        // Refusals are the caller's problem, not feature-service's: more of them do not open its circuit.
        for (int i = 0; i < 5; i++) {
            Observation another = Msft.observations("fourth-" + i + "-" + UUID.randomUUID(), 1).get(0);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, assertThrows(StatusRuntimeException.class,
                    () -> decisions.withDeadlineAfter(10, TimeUnit.SECONDS).decide(DecideRequest.newBuilder()
                            .setObservation(another).setLatencyBudgetMs(5000).build())).getStatus().getCode());
        }
        assertWhole(decisions, observations.next());

        // A hanging model-service (SIGSTOP: the process is there and accepts connections, nothing answers): each
        // decision is degraded when the model stage's share of the budget runs out, and still has its features.
        // Four failures leave the circuit closed (it opens at five of the last five), so once the process continues
        // the next decision is whole again.
        stack.models.pause();
        try {
            for (int i = 0; i < 4; i++) {
                Decision d = decideWithinOneSecond(decisions, observations.next());
                assertDegradedFlat(d, "model-service: deadline of ", DegradedCause.DEGRADED_CAUSE_DEADLINE);
                assertTrue(d.getDegradedReason().endsWith(" exceeded"), d.getDegradedReason());
                assertTrue(d.hasFeatures(), "features were available and are recorded");
            }
        } finally {
            stack.models.resume();
        }
        assertWhole(decisions, observations.next());

        // The same with feature-service: without features there is nothing to ask the models.
        stack.features.pause();
        try {
            for (int i = 0; i < 2; i++) {
                Decision d = decideWithinOneSecond(decisions, observations.next());
                assertDegradedFlat(d, "feature-service: deadline of ", DegradedCause.DEGRADED_CAUSE_DEADLINE);
                assertFalse(d.hasFeatures());
            }
        } finally {
            stack.features.resume();
        }
        assertWhole(decisions, observations.next());

        stack.models.stop();
        for (int i = 0; i < 10; i++) {
            Decision d = decideWithinOneSecond(decisions, observations.next());
            assertDegradedFlat(d, "model-service: ", DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE, DegradedCause.DEGRADED_CAUSE_DEADLINE, DegradedCause.DEGRADED_CAUSE_CIRCUIT_OPEN);
            assertTrue(d.hasFeatures(), "features were available and are recorded");
            if (i >= 5) {
                assertTrue(d.getDegradedReason().startsWith("model-service: circuit open after 5 failures"), d.getDegradedReason());
                assertEquals(DegradedCause.DEGRADED_CAUSE_CIRCUIT_OPEN, d.getDegradedCause());
            }
        }

        stack.features.stop();
        Observation last = null;
        for (int i = 0; i < 10; i++) {
            last = observations.next();
            Decision d = decideWithinOneSecond(decisions, last);
            assertDegradedFlat(d, "feature-service: ", DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE, DegradedCause.DEGRADED_CAUSE_DEADLINE, DegradedCause.DEGRADED_CAUSE_CIRCUIT_OPEN);
            assertFalse(d.hasFeatures());
        }
        Decision again = decideWithinOneSecond(decisions, last);
        assertTrue(again.getDuplicate(), "degraded decisions are logged: a retry gets the original back");
    }

    /** Decides with a generous budget and deadline; the decision must not be degraded. */
    static void assertWhole(DecisionServiceBlockingStub decisions, Observation o) {
        Decision d = decisions.withDeadlineAfter(10, TimeUnit.SECONDS)
                .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5000).build());
        assertFalse(d.getDegraded(), d.getDegradedReason());
        assertEquals(DegradedCause.DEGRADED_CAUSE_UNSPECIFIED, d.getDegradedCause());
    }

    static Decision decideWithinOneSecond(DecisionServiceBlockingStub decisions, Observation o) {
        return decisions.withDeadlineAfter(1, TimeUnit.SECONDS)
                .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(200).build());
    }

    /** Degraded, FLAT, no prediction, the reason starting with {@code reasonStart} and the cause one of {@code causes}. */
    static void assertDegradedFlat(Decision d, String reasonStart, DegradedCause... causes) {
        assertTrue(d.getDegraded(), d.toString());
        assertTrue(java.util.List.of(causes).contains(d.getDegradedCause()), d.getDegradedCause() + ": " + d.getDegradedReason());
        assertEquals(Direction.DIRECTION_FLAT, d.getDirection());
        assertEquals(0, d.getSize());
        assertTrue(d.getDegradedReason().startsWith(reasonStart), d.getDegradedReason());
        assertTrue(d.getPredictionId().isEmpty());
    }
}
