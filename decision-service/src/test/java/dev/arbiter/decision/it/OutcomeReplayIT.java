package dev.arbiter.decision.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.EnsembleWeights;
import dev.arbiter.proto.v1.GetEnsembleWeightsRequest;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.ReplayDecisionRequest;
import dev.arbiter.proto.v1.ReplayDecisionResponse;
import dev.arbiter.proto.v1.ReplayMode;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.ReportOutcomeResponse;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.proto.v1.TimeRange;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Integration test (packaged feature-service, model-service and decision-service, real PostgreSQL and Redis): real
 * decisions on MSFT bars are replayed from the log bit for bit with their recorded versions, their realised next-day
 * returns are reported as outcomes — which move the ensemble weights in model-service and add up in GetPerformance —
 * and a replay with changed live parameters shows what changed.
 */
class OutcomeReplayIT {

    static final int DAYS = Msft.rows().size();

    @Test
    void realDecisionsReplayExactlyAndTheirOutcomesMoveTheWeightsAndThePerformance() throws Exception {
        try (ServiceStack stack = ServiceStack.start("outcome-replay-it", Map.of())) {
            DecisionServiceBlockingStub decisions = DecisionServiceGrpc.newBlockingStub(stack.decisions.channel)
                    .withDeadlineAfter(120, TimeUnit.SECONDS);
            String series = "msft-" + UUID.randomUUID();
            List<Observation> observations = Msft.observations(series, DAYS);
            List<Decision> made = decide(stack, observations);

            // 1. Every decision with a prediction replays identically with its recorded versions.
            int replayed = 0;
            Decision acted = null;
            for (Decision d : made) {
                if (d.getPredictionId().isEmpty()) {
                    continue;
                }
                ReplayDecisionResponse r = decisions.replayDecision(ReplayDecisionRequest.newBuilder().setDecisionId(d.getDecisionId()).build());
                assertTrue(r.getIdentical(), "decision at " + d.getTsMicros() + " differs on replay: " + r.getDifferencesList());
                replayed++;
                if (d.getDirection() != Direction.DIRECTION_FLAT && acted == null) {
                    acted = d;
                }
            }
            assertTrue(replayed > DAYS / 2, replayed + " decisions replayed");
            assertTrue(acted != null, "some decision acted");

            // 2. Outcomes: the next day's return of each decision with a prediction moves the ensemble weights.
            EnsembleWeights before = weights(stack);
            int joined = 0;
            double pnl = 0;
            String lastSnapshot = before.getWeightsSnapshotId();
            for (int i = 0; i + 1 < made.size(); i++) {
                Decision d = made.get(i);
                double r = Msft.rows().get(i + 1).close() / Msft.rows().get(i).close() - 1;
                ReportOutcomeResponse response = decisions.reportOutcome(ReportOutcomeRequest.newBuilder()
                        .setDecisionId(d.getDecisionId()).setRealisedReturn(r).build());
                assertEquals(OutcomeStatus.OUTCOME_STATUS_JOINED, response.getStatus());
                joined++;
                pnl += response.getPnl();
                if (!d.getPredictionId().isEmpty()) {
                    assertTrue(response.getWeightsUpdated(), "outcome of " + d.getDecisionId() + " moved no weights");
                    assertNotEquals(lastSnapshot, response.getWeightsSnapshotId());
                    lastSnapshot = response.getWeightsSnapshotId();
                }
            }
            EnsembleWeights after = weights(stack);
            assertEquals(lastSnapshot, after.getWeightsSnapshotId());
            assertTrue(after.getOutcomeCount() > before.getOutcomeCount());
            assertEquals(OutcomeStatus.OUTCOME_STATUS_DUPLICATE, decisions.reportOutcome(ReportOutcomeRequest.newBuilder()
                    .setDecisionId(made.get(0).getDecisionId()).setRealisedReturn(0.01).build()).getStatus());
            assertEquals(after.getOutcomeCount(), weights(stack).getOutcomeCount(), "a duplicate moves nothing");

            // 3. Performance adds them up.
            PerformanceMetrics m = decisions.getPerformance(GetPerformanceRequest.newBuilder().setSeriesId(series).addVariantNames("live")
                    .setRange(TimeRange.newBuilder().setStartTsMicros(1)).build()).getVariants(0).getMetrics();
            assertEquals(DAYS, m.getDecisionCount());
            assertEquals(joined, m.getOutcomeCount());
            assertEquals(pnl, m.getPnl(), 1e-12);

            // 4. With stricter live parameters the same decision would not act.
            decisions.setParameters(SetParametersRequest.newBuilder()
                    .putValues("gate.min_agreement", ParameterValue.newBuilder().setDoubleValue(1.0).build())
                    .putValues("gate.min_confidence", ParameterValue.newBuilder().setDoubleValue(1.0).build())
                    .setAuthor("it").setReason("demand certainty").build());
            ReplayDecisionResponse live = decisions.replayDecision(ReplayDecisionRequest.newBuilder().setDecisionId(acted.getDecisionId())
                    .setMode(ReplayMode.REPLAY_MODE_LIVE_VERSIONS).build());
            assertFalse(live.getIdentical());
            assertTrue(live.getDifferencesList().stream().anyMatch(x -> x.getField().equals("versions.parameter_set_version")));
            System.out.printf("OutcomeReplayIT: %d decisions, %d replayed identically, %d outcomes joined, pnl %.6f; live replay of an"
                    + " acted decision: %s%n", made.size(), replayed, joined, pnl, live.getReplayed().getDirection());
        }
    }

    static EnsembleWeights weights(ServiceStack stack) {
        return ModelServiceGrpc.newBlockingStub(stack.models.channel).getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder()
                .setEnsembleName("default").build());
    }

    static List<Decision> decide(ServiceStack stack, List<Observation> observations) throws Exception {
        List<Decision> out = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<DecideRequest> requests = DecisionServiceGrpc.newStub(stack.decisions.channel)
                .withDeadlineAfter(120, TimeUnit.SECONDS)
                .decideStream(new StreamObserver<>() {
                    @Override
                    public void onNext(DecideStreamResponse value) {
                        synchronized (out) {
                            out.add(value.getDecision());
                        }
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
            requests.onNext(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(5000).build());
        }
        requests.onCompleted();
        done.get(120, TimeUnit.SECONDS);
        assertEquals(observations.size(), out.size());
        return out;
    }
}
