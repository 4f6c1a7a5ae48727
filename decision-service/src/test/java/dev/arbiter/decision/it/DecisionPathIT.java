package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.MsftModels;
import dev.arbiter.engine.policy.BuiltInGate;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DegradedCause;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GateResult;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Integration test (packaged feature-service, model-service and decision-service as processes, real PostgreSQL and
 * Redis): a gRPC client streams a year of real daily MSFT bars through DecideStream and receives explained decisions,
 * made with a two-member XGBoost ensemble trained and uploaded here.
 */
class DecisionPathIT {

    static ServiceStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = ServiceStack.start("decision-path-it", Map.of());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aClientStreamsRealObservationsAndReceivesExplainedDecisions() throws Exception {
        String series = "msft-" + UUID.randomUUID();
        List<Observation> observations = Msft.observations(series, Msft.rows().size());
        List<DecideStreamResponse> responses = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<DecideRequest> requests = DecisionServiceGrpc.newStub(stack.decisions.channel)
                .withDeadlineAfter(120, TimeUnit.SECONDS)
                .decideStream(new StreamObserver<>() {
                    @Override
                    public void onNext(DecideStreamResponse value) {
                        responses.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        for (Observation o : observations) {
            // a generous budget: this test is about explanations, DegradationIT about budgets
            requests.onNext(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5000).build());
        }
        requests.onCompleted();
        done.get(120, TimeUnit.SECONDS);

        assertEquals(observations.size(), responses.size(), "one answer per observation");
        Histogram total = new Histogram(3);
        Histogram featuresStage = new Histogram(3);
        Histogram modelsStage = new Histogram(3);
        Histogram policyStage = new Histogram(3);
        int acted = 0;
        for (int i = 0; i < responses.size(); i++) {
            assertTrue(responses.get(i).hasDecision(), responses.get(i).toString());
            Decision d = responses.get(i).getDecision();
            assertEquals(observations.get(i).getTsMicros(), d.getTsMicros(), "answers in request order");
            assertFalse(d.getDegraded(), d.getDegradedReason());
            assertFalse(d.getPredictionId().isEmpty());
            assertTrue(d.getGatesCount() >= BuiltInGate.values().length);
            for (BuiltInGate g : BuiltInGate.values()) {
                assertEquals(g.gateName(), d.getGates(g.ordinal()).getName());
            }
            assertFalse(d.getReasonsList().isEmpty());
            assertEquals(MsftModels.SCHEMA.id(), d.getVersions().getFeatureSchemaId());
            assertEquals(List.of("msft-trend", "msft-shape"),
                    d.getVersions().getModelVersionsList().stream().map(m -> m.getModelName()).toList());
            assertFalse(d.getVersions().getWeightsSnapshotId().isEmpty());
            assertEquals("default", d.getVersions().getEnsembleName());
            assertEquals(1, d.getVersions().getEnsembleRevision());
            assertEquals("live", d.getVersions().getVariantName());
            assertTrue(d.getVersions().getParameterSetVersion() >= 1 && d.getVersions().getRuleSetVersion() >= 1);
            assertEquals(i + 1, d.getFeatures().getObservationCount());
            if (d.getDirection() != Direction.DIRECTION_FLAT) {
                acted++;
                assertTrue(d.getFeatures().getWarm());
                assertTrue(d.getGatesList().stream().allMatch(GateResult::getPassed));
            }
            total.recordValue(Math.max(d.getLatency().getTotalMicros(), 1));
            featuresStage.recordValue(Math.max(d.getLatency().getFeaturesMicros(), 1));
            modelsStage.recordValue(Math.max(d.getLatency().getPredictionMicros(), 1));
            policyStage.recordValue(Math.max(d.getLatency().getGatesMicros(), 1));
        }
        assertTrue(acted > 0, "after warm-up some decisions act");
        System.out.printf("DecisionPathIT: %d decisions, %d acted; micros p50/p99: features %d/%d, models %d/%d, policy %d/%d,"
                        + " total (before the log) %d/%d%n", responses.size(), acted,
                featuresStage.getValueAtPercentile(50), featuresStage.getValueAtPercentile(99),
                modelsStage.getValueAtPercentile(50), modelsStage.getValueAtPercentile(99),
                policyStage.getValueAtPercentile(50), policyStage.getValueAtPercentile(99),
                total.getValueAtPercentile(50), total.getValueAtPercentile(99));

        printBaseline();

        // the last observation again: the original decision, from the log
        Decision last = responses.get(responses.size() - 1).getDecision();
        Decision again = DecisionServiceGrpc.newBlockingStub(stack.decisions.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .decide(DecideRequest.newBuilder().setObservation(observations.get(observations.size() - 1)).build());
        assertTrue(again.getDuplicate());
        assertEquals(last.getDecisionId(), again.getDecisionId());
    }

    /** For comparison on the same machine and moment: the dependencies called directly from this JVM. */
    /**
     * model-service refusing to predict (here: decision-service asks for an ensemble that is not defined) gives FLAT,
     * degraded decisions that say so and keep the features; a refusal is not a failure of model-service, so however
     * many there are the circuit stays closed.
     */
    @Test
    void aModelServiceRefusalDegradesTheDecisionWithoutOpeningTheCircuit() {
        String ensemble = "no-such-ensemble-" + UUID.randomUUID().toString().substring(0, 8);
        ServiceProcess misconfigured = stack.anotherDecisionService("decision-path-it-refusal",
                Map.of("arbiter.decision.ensemble", ensemble));
        try {
            List<Observation> observations = Msft.observations("refused-" + UUID.randomUUID(), 8);
            for (Observation o : observations) {
                Decision d = DecisionServiceGrpc.newBlockingStub(misconfigured.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5000).build());
                assertTrue(d.getDegraded(), d.toString());
                assertTrue(d.getDegradedReason().startsWith("model-service: NOT_FOUND (")
                        && d.getDegradedReason().contains(ensemble), d.getDegradedReason());
                assertEquals(DegradedCause.DEGRADED_CAUSE_MODEL_REFUSED, d.getDegradedCause(), d.getDegradedReason());
                assertEquals(Direction.DIRECTION_FLAT, d.getDirection());
                assertEquals(0, d.getSize());
                assertTrue(d.hasFeatures(), "feature-service answered");
            }
        } finally {
            misconfigured.close();
        }
    }

    private static void printBaseline() {
        var features = dev.arbiter.proto.v1.FeatureServiceGrpc.newBlockingStub(stack.features.channel);
        var models = dev.arbiter.proto.v1.ModelServiceGrpc.newBlockingStub(stack.models.channel);
        Histogram ingest = new Histogram(3);
        Histogram predict = new Histogram(3);
        for (Observation o : Msft.observations("baseline-" + UUID.randomUUID(), Msft.rows().size())) {
            long t0 = System.nanoTime();
            var v = features.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .ingest(dev.arbiter.proto.v1.IngestRequest.newBuilder().setObservation(o).build()).getFeatures();
            long t1 = System.nanoTime();
            models.withDeadlineAfter(10, TimeUnit.SECONDS).predict(dev.arbiter.proto.v1.PredictRequest.newBuilder()
                    .setInput(dev.arbiter.proto.v1.PredictionInput.newBuilder().setFeatures(v)).build());
            long t2 = System.nanoTime();
            ingest.recordValue(Math.max((t1 - t0) / 1000, 1));
            predict.recordValue(Math.max((t2 - t1) / 1000, 1));
        }
        System.out.printf("DecisionPathIT baseline, called directly: Ingest p50 %d / p99 %d micros, Predict p50 %d / p99 %d micros%n",
                ingest.getValueAtPercentile(50), ingest.getValueAtPercentile(99),
                predict.getValueAtPercentile(50), predict.getValueAtPercentile(99));
    }
}
