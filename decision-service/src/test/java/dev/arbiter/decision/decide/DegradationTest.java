package dev.arbiter.decision.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.decision.testing.RiskReset;
import dev.arbiter.decision.testing.TcpProxy;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DegradedCause;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A slow or failing dependency turns the answer into a FLAT, degraded decision naming the dependency and what
 * happened, within the caller's deadline; a circuit breaker per dependency opens after repeated failures; refusals and
 * callers' tiny budgets never open it. Every call below would fail with DEADLINE_EXCEEDED if the answer were late.
 *
 * <p>The dependencies are the real feature-service and model-service ({@link RealDependenciesProfile}): one hangs
 * when its process is stopped (SIGSTOP: it accepts connections and answers nothing), and is down when the proxy in
 * front of it is cut (connections reset and refused). The failed calls decision-service makes are counted by its own
 * gRPC client metrics (Micrometer), which also see the calls that never reach a service.
 */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class DegradationTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    /** decision-service's own channels to its dependencies, whose reconnection backoff a test cuts short. */
    @GrpcClient("features")
    Channel featureChannel;

    @GrpcClient("models")
    Channel modelChannel;

    @Inject
    DecisionLog log;

    @Inject
    RedisDataSource redis;

    @Inject
    MeterRegistry registry;

    Iterator<Observation> observations;

    @BeforeEach
    void reset() throws Exception {
        RealDependenciesProfile.ensembleAnswers(0.8);
        CircuitBreakerMaintenance.get().resetAll();
        RiskReset.clear(redis, RealDependenciesProfile.redisPrefix);
        observations = Msft.observations("degrade-" + UUID.randomUUID(), 200).iterator();
        // One decision with a generous budget first, on a series of its own: the first after the application starts
        // (connections to Redis and PostgreSQL, the JIT) can take longer than the tight budgets these tests give.
        decisions.decide(DecideRequest.newBuilder().setObservation(Msft.observations("warm-" + UUID.randomUUID(), 1).get(0))
                .setLatencyBudgetMs(5_000).build());
    }

    /** Both services answer again and both circuits are closed, for the next test class of this application. */
    @AfterEach
    void restore() {
        RealDependenciesProfile.redisProxy.restore();
        RealDependenciesProfile.services.features.resume();
        RealDependenciesProfile.services.models.resume();
        backUp(RealDependenciesProfile.featureProxy, featureChannel);
        backUp(RealDependenciesProfile.modelProxy, modelChannel);
        CircuitBreakerMaintenance.get().resetAll();
    }

    /**
     * The service behind the proxy is reachable again, and decision-service's channel to it is connected: it tries now
     * instead of after its backoff, and this waits (on the channel's state changes) until it is READY, because until
     * then a channel that has failed keeps failing calls at once (pick-first's sticky TRANSIENT_FAILURE).
     */
    static void backUp(TcpProxy proxy, Channel channel) {
        proxy.restore();
        ManagedChannel managed = (ManagedChannel) channel;
        managed.resetConnectBackoff();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ConnectivityState state;
        while ((state = managed.getState(true)) != ConnectivityState.READY) {
            CountDownLatch changed = new CountDownLatch(1);
            managed.notifyWhenStateChanged(state, changed::countDown);
            try {
                if (!changed.await(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new AssertionError("decision-service's channel did not reconnect within 30 s: " + state);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (state == ConnectivityState.TRANSIENT_FAILURE) {
                managed.resetConnectBackoff();
            }
        }
    }

    /**
     * Calls to {@code method} ("Predict", "Ingest") that decision-service saw fail as UNAVAILABLE. Only failed calls
     * are counted: the client metrics record a call as it closes, which for a failed call is before decision-service
     * learns of the failure (so before its decision is answered), while an answered call's decision may be on its way
     * before the call's close is recorded.
     */
    long unavailableCallsTo(String method) {
        return registry.find("grpc.client.processing.duration").tag("method", method).tag("statusCode", "UNAVAILABLE")
                .timers().stream().mapToLong(Timer::count).sum();
    }

    static ServiceProcess models() {
        return RealDependenciesProfile.services.models;
    }

    static ServiceProcess features() {
        return RealDependenciesProfile.services.features;
    }

    /**
     * A budget no loaded machine overruns, for decisions whose dependency is cut (refused at once) or whole: the
     * default budget (tens of ms) let a cold feature-service call run out of time on a busy CI machine, which turned
     * "model-service unavailable" into "feature-service: deadline exceeded".
     */
    static final int AMPLE_MS = 4_000;

    Decision decide(int budgetMs) {
        return decisions.withDeadlineAfter(5, TimeUnit.SECONDS)
                .decide(DecideRequest.newBuilder().setObservation(observations.next()).setLatencyBudgetMs(budgetMs).build());
    }

    static void assertDegradedFlat(Decision d, DegradedCause cause, String reasonStart) {
        assertTrue(d.getDegraded(), d.toString());
        assertEquals(cause, d.getDegradedCause(), d.getDegradedReason());
        assertEquals(Direction.DIRECTION_FLAT, d.getDirection());
        assertEquals(0, d.getSize());
        assertTrue(d.getDegradedReason().startsWith(reasonStart), d.getDegradedReason());
        assertTrue(d.getReasons(0).contains(d.getDegradedReason()), d.getReasonsList().toString());
        assertTrue(d.getPredictionId().isEmpty(), "never an action, nor a prediction id, without a model");
    }

    @Test
    void aHangingModelServiceGivesAFlatDegradedDecisionThatStillRecordsTheFeatures() {
        models().pause();
        Decision d = decide(40);
        assertDegradedFlat(d, DegradedCause.DEGRADED_CAUSE_DEADLINE, "model-service: deadline of ");
        assertTrue(d.getDegradedReason().endsWith(" exceeded"), d.getDegradedReason());
        assertTrue(d.hasFeatures(), "the features were available and are kept for replay");
        assertEquals(d.getTsMicros(), d.getFeatures().getTsMicros());
        assertTrue(log.find(d.getDecisionId()).isPresent(), "degraded decisions are logged too");
    }

    @Test
    void theCallersOwnDeadlineBoundsTheDecisionWhenItIsShorterThanTheBudget() {
        models().pause();
        // 2 s, not less: the service keeps a tenth of it back to answer, which a loaded test machine needs
        Decision d = decisions.withDeadlineAfter(2_000, TimeUnit.MILLISECONDS)
                .decide(DecideRequest.newBuilder().setObservation(observations.next()).setLatencyBudgetMs(30_000).build());
        assertDegradedFlat(d, DegradedCause.DEGRADED_CAUSE_DEADLINE, "model-service: deadline of ");
    }

    @Test
    void aDownModelServiceDegradesAndItsCircuitOpensAfterFiveFailures() throws Exception {
        long before = unavailableCallsTo("Predict");
        RealDependenciesProfile.modelProxy.cut();
        for (int i = 0; i < 5; i++) {
            Decision d = decide(AMPLE_MS);
            assertDegradedFlat(d, DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE, "model-service: UNAVAILABLE");
            assertTrue(d.hasFeatures(), "feature-service answered");
        }
        long calls = unavailableCallsTo("Predict");
        assertEquals(before + 5, calls, "each of the five decisions called model-service and failed");
        Decision d = decide(AMPLE_MS);
        assertDegradedFlat(d, DegradedCause.DEGRADED_CAUSE_CIRCUIT_OPEN, "model-service: circuit open after 5 failures");
        String alert = RealDependenciesProfile.alerts.await(b -> b.contains("\"event\":\"circuit_breaker_open\"")
                && b.contains("\"key\":\"model-service\""), 30);
        assertTrue(alert.contains("circuit to model-service opened"), alert);
        assertTrue(d.getDegradedReason().contains("retry in "), d.getDegradedReason());
        assertEquals(calls, unavailableCallsTo("Predict"), "an open circuit does not call model-service");

        backUp(RealDependenciesProfile.modelProxy, modelChannel);
        CircuitBreakerMaintenance.get().resetAll();
        Decision whole = decide(1000);
        assertFalse(whole.getDegraded(), "closed again, decisions are whole again: " + whole.getDegradedReason());
        assertEquals(DegradedCause.DEGRADED_CAUSE_UNSPECIFIED, whole.getDegradedCause());
    }

    @Test
    void aDownFeatureServiceDegradesWithoutFeaturesAndWithoutAskingTheModels() {
        // model-service is cut off too, so that a call to it, had there been one, would be counted as failed
        RealDependenciesProfile.featureProxy.cut();
        RealDependenciesProfile.modelProxy.cut();
        long predictions = unavailableCallsTo("Predict");
        long ingests = unavailableCallsTo("Ingest");
        Decision d = decide(AMPLE_MS);
        assertDegradedFlat(d, DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE, "feature-service: UNAVAILABLE");
        assertFalse(d.hasFeatures());
        assertEquals(ingests + 1, unavailableCallsTo("Ingest"));
        assertEquals(predictions, unavailableCallsTo("Predict"), "no features, no prediction");
        for (int i = 0; i < 4; i++) {
            decide(AMPLE_MS);
        }
        assertDegradedFlat(decide(AMPLE_MS), DegradedCause.DEGRADED_CAUSE_CIRCUIT_OPEN, "feature-service: circuit open after 5 failures");
        assertEquals(ingests + 5, unavailableCallsTo("Ingest"), "an open circuit does not call feature-service");
        assertEquals(predictions, unavailableCallsTo("Predict"));
    }

    @Test
    void anObservationDecidedWhileFeatureServiceWasDownKeepsThatDecisionWhenSentAgain() {
        Observation o = observations.next();
        RealDependenciesProfile.featureProxy.cut();
        Decision degraded = decisions.withDeadlineAfter(5, TimeUnit.SECONDS)
                .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(AMPLE_MS).build());
        assertDegradedFlat(degraded, DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE, "feature-service: ");
        backUp(RealDependenciesProfile.featureProxy, featureChannel);
        Decision again = decisions.withDeadlineAfter(5, TimeUnit.SECONDS)
                .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(AMPLE_MS).build());
        assertTrue(again.getDuplicate(), "already decided, though feature-service sees it for the first time");
        assertEquals(degraded.getDecisionId(), again.getDecisionId());
        Decision next = decide(1000);
        assertFalse(next.getDegraded(), "the series goes on normally: " + next.getDegradedReason());
    }

    @Test
    void anUnreachableRedisGivesAFlatDegradedDecisionThatKeepsThePrediction() {
        decide(1000); // the series exists, with a risk state
        RealDependenciesProfile.redisProxy.cut();
        Decision d = decide(1000);
        assertTrue(d.getDegraded(), d.toString());
        assertTrue(d.getDegradedReason().startsWith("redis: the risk state could not be read ("), d.getDegradedReason());
        assertEquals(DegradedCause.DEGRADED_CAUSE_RISK_STATE_UNAVAILABLE, d.getDegradedCause(), d.getDegradedReason());
        assertEquals(Direction.DIRECTION_FLAT, d.getDirection(), "never an action without the risk state");
        assertEquals(0, d.getSize());
        assertTrue(d.hasFeatures(), "feature-service answered");
        assertEquals(0.8, d.getEnsembleProbability(), 1e-6, "model-service answered: the prediction is kept");
        assertTrue(log.find(d.getDecisionId()).isPresent(), "logged (PostgreSQL is there)");

        RealDependenciesProfile.redisProxy.restore();
        Decision next = decide(1000);
        assertFalse(next.getDegraded(), "Redis back, decisions are whole again: " + next.getDegradedReason());
    }

    @Test
    void aHangingFeatureServiceDegradesWithinTheBudget() {
        features().pause();
        assertDegradedFlat(decide(30), DegradedCause.DEGRADED_CAUSE_DEADLINE, "feature-service: deadline of ");
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
        models().pause();
        for (int i = 0; i < 8; i++) {
            Decision d = decide(6);
            assertTrue(d.getDegraded(), "a 6 ms budget leaves model-service less than the 5 ms that counts");
            assertEquals(DegradedCause.DEGRADED_CAUSE_DEADLINE, d.getDegradedCause(), d.getDegradedReason());
        }
        models().resume();
        Decision d = decide(1000);
        assertFalse(d.getDegraded(), "both circuits stayed closed: " + d.getDegradedReason());
    }
}
