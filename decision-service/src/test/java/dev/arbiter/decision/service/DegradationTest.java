package dev.arbiter.decision.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.DecidePathFakes;
import dev.arbiter.decision.testing.DecidePathFakes.Mode;
import dev.arbiter.decision.testing.DecidePathProfile;
import dev.arbiter.decision.testing.Msft;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.Observation;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A slow or failing dependency turns the answer into a FLAT, degraded decision naming the dependency and what
 * happened, within the caller's deadline; a circuit breaker per dependency opens after repeated failures; refusals and
 * callers' tiny budgets never open it. Every call below would fail with DEADLINE_EXCEEDED if the answer were late.
 */
@QuarkusTest
@TestProfile(DecidePathProfile.class)
class DegradationTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    DecisionLog log;

    @Inject
    io.quarkus.redis.datasource.RedisDataSource redis;

    DecidePathFakes fakes;
    Iterator<Observation> observations;

    @BeforeEach
    void reset() {
        fakes = DecidePathProfile.fakes;
        fakes.reset();
        CircuitBreakerMaintenance.get().resetAll();
        dev.arbiter.decision.testing.RiskReset.clear(redis, DecidePathProfile.redisPrefix);
        observations = Msft.observations("degrade-" + UUID.randomUUID(), 200).iterator();
        // One decision with a generous budget first, on a series of its own: the first after the application starts
        // (connections to Redis and PostgreSQL, the JIT) can take longer than the tight budgets these tests give.
        decisions.decide(DecideRequest.newBuilder().setObservation(Msft.observations("warm-" + UUID.randomUUID(), 1).get(0))
                .setLatencyBudgetMs(5_000).build());
    }

    Decision decide(int budgetMs) {
        return decisions.withDeadlineAfter(5, TimeUnit.SECONDS)
                .decide(DecideRequest.newBuilder().setObservation(observations.next()).setLatencyBudgetMs(budgetMs).build());
    }

    static void assertDegradedFlat(Decision d, String reasonStart) {
        assertTrue(d.getDegraded(), d.toString());
        assertEquals(Direction.DIRECTION_FLAT, d.getDirection());
        assertEquals(0, d.getSize());
        assertTrue(d.getDegradedReason().startsWith(reasonStart), d.getDegradedReason());
        assertTrue(d.getReasons(0).contains(d.getDegradedReason()), d.getReasonsList().toString());
        assertTrue(d.getPredictionId().isEmpty(), "never an action, nor a prediction id, without a model");
    }

    @Test
    void aHangingModelServiceGivesAFlatDegradedDecisionThatStillRecordsTheFeatures() {
        fakes.models = Mode.HANG;
        Decision d = decide(40);
        assertDegradedFlat(d, "model-service: deadline of ");
        assertTrue(d.getDegradedReason().endsWith(" exceeded"), d.getDegradedReason());
        assertTrue(d.hasFeatures(), "the features were available and are kept for replay");
        assertEquals(d.getTsMicros(), d.getFeatures().getTsMicros());
        assertTrue(log.find(d.getDecisionId()).isPresent(), "degraded decisions are logged too");
    }

    @Test
    void theCallersOwnDeadlineBoundsTheDecisionWhenItIsShorterThanTheBudget() {
        fakes.models = Mode.HANG;
        // 2 s, not less: the service keeps a tenth of it back to answer, which a loaded test machine needs
        Decision d = decisions.withDeadlineAfter(2_000, TimeUnit.MILLISECONDS)
                .decide(DecideRequest.newBuilder().setObservation(observations.next()).setLatencyBudgetMs(30_000).build());
        assertDegradedFlat(d, "model-service: deadline of ");
    }

    @Test
    void aDownModelServiceDegradesAndItsCircuitOpensAfterFiveFailures() {
        fakes.models = Mode.DOWN;
        for (int i = 0; i < 5; i++) {
            assertDegradedFlat(decide(0), "model-service: UNAVAILABLE (fake model-service is down)");
        }
        int calls = fakes.predictCalls.get();
        Decision d = decide(0);
        assertDegradedFlat(d, "model-service: circuit open after 5 failures");
        assertTrue(d.getDegradedReason().contains("retry in "), d.getDegradedReason());
        assertEquals(calls, fakes.predictCalls.get(), "an open circuit does not call model-service");

        fakes.models = Mode.ANSWER;
        CircuitBreakerMaintenance.get().resetAll();
        assertFalse(decide(0).getDegraded(), "closed again, decisions are whole again");
    }

    @Test
    void aDownFeatureServiceDegradesWithoutFeaturesAndWithoutAskingTheModels() {
        fakes.features = Mode.DOWN;
        int predictions = fakes.predictCalls.get();
        Decision d = decide(0);
        assertDegradedFlat(d, "feature-service: UNAVAILABLE (fake feature-service is down)");
        assertFalse(d.hasFeatures());
        assertEquals(predictions, fakes.predictCalls.get());
        for (int i = 0; i < 4; i++) {
            decide(0);
        }
        assertDegradedFlat(decide(0), "feature-service: circuit open after 5 failures");
    }

    @Test
    void anObservationDecidedWhileFeatureServiceWasDownKeepsThatDecisionWhenSentAgain() {
        Observation o = observations.next();
        fakes.features = Mode.DOWN;
        Decision degraded = decisions.withDeadlineAfter(5, TimeUnit.SECONDS)
                .decide(DecideRequest.newBuilder().setObservation(o).build());
        assertDegradedFlat(degraded, "feature-service: ");
        fakes.features = Mode.ANSWER;
        Decision again = decisions.withDeadlineAfter(5, TimeUnit.SECONDS)
                .decide(DecideRequest.newBuilder().setObservation(o).build());
        assertTrue(again.getDuplicate(), "already decided, though feature-service sees it for the first time");
        assertEquals(degraded.getDecisionId(), again.getDecisionId());
        assertFalse(decide(0).getDegraded(), "the series goes on normally");
    }

    @Test
    void aHangingFeatureServiceDegradesWithinTheBudget() {
        fakes.features = Mode.HANG;
        assertDegradedFlat(decide(30), "feature-service: deadline of ");
    }

    @Test
    void refusalsAndCallersTinyBudgetsDoNotOpenTheCircuit() {
        Observation first = observations.next();
        decisions.decide(DecideRequest.newBuilder().setObservation(first).build());
        for (int i = 0; i < 8; i++) {
            Observation older = first.toBuilder().setTsMicros(first.getTsMicros() - 1 - i).build();
            try {
                decisions.decide(DecideRequest.newBuilder().setObservation(older).build());
            } catch (io.grpc.StatusRuntimeException expected) {
                assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, expected.getStatus().getCode());
            }
        }
        fakes.models = Mode.HANG;
        for (int i = 0; i < 8; i++) {
            assertTrue(decide(6).getDegraded(), "a 6 ms budget leaves model-service less than the 5 ms that counts");
        }
        fakes.models = Mode.ANSWER;
        Decision d = decide(1000);
        assertFalse(d.getDegraded(), "both circuits stayed closed: " + d.getDegradedReason());
    }
}
