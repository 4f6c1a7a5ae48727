package dev.arbiter.decision.grpc;

import static dev.arbiter.decision.testing.Decisions.decision;
import static dev.arbiter.decision.testing.Decisions.degraded;
import static dev.arbiter.decision.testing.Decisions.nowMicros;
import static dev.arbiter.decision.testing.Refusals.invalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.outcome.OutcomeService;
import dev.arbiter.decision.risk.RiskStateStore;
import dev.arbiter.decision.testing.Decisions;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.EnsembleWeights;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.GetEnsembleWeightsRequest;
import dev.arbiter.proto.v1.MemberWeight;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionOutcomeStatus;
import dev.arbiter.proto.v1.ReportPredictionOutcomeRequest;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.ReportOutcomeResponse;
import io.agroal.api.AgroalDataSource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collections;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ReportOutcome: joined, duplicate, late, unknown, the risk settlement, the forwarding to model-service and its retry,
 * against a real model-service whose default ensemble is two models answering 0.8 (so a member is right exactly when
 * the outcome is positive, and the ensemble's weights show which outcome arrived, and how many).
 */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class OutcomeRpcTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    DecisionLog log;

    @Inject
    RiskStateStore risk;

    @Inject
    OutcomeService outcomes;

    @Inject
    AgroalDataSource db;

    ModelServiceGrpc.ModelServiceBlockingStub models;

    @BeforeEach
    void constantEnsemble() throws Exception {
        RealDependenciesProfile.ensembleAnswers(0.8);
        models = ModelServiceGrpc.newBlockingStub(RealDependenciesProfile.services.models.channel);
    }

    /** The decision with a real prediction by model-service for its id, as the decide path would have asked for it. */
    Decision.Builder predicted(Decision.Builder d) {
        var schema = Decisions.featureSchema();
        FeatureVector.Builder features = FeatureVector.newBuilder().setSeriesId(d.getSeriesId())
                .setSchemaId(schema.getSchemaId()).setTsMicros(d.getTsMicros())
                .addAllValues(Collections.nCopies(schema.getNamesCount(), Double.NaN));
        var p = models.predict(PredictRequest.newBuilder().setDecisionId(d.getDecisionId())
                .setInput(PredictionInput.newBuilder().setFeatures(features)).build());
        return d.setPredictionId(p.getPredictionId()).setEnsembleProbability(p.getEnsembleProbability());
    }

    EnsembleWeights weights() {
        return models.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName("default").build());
    }

    /** The members' scores moved the way an outcome of that sign moves them (members answering 0.8 say "positive"). */
    static void assertScoresMoved(EnsembleWeights before, EnsembleWeights after, boolean positive) {
        assertEquals(before.getOutcomeCount() + 1, after.getOutcomeCount(), "exactly one outcome reached the weights");
        for (int i = 0; i < before.getMembersCount(); i++) {
            MemberWeight b = before.getMembers(i);
            MemberWeight a = after.getMembers(i);
            assertTrue(positive ? a.getScore() > b.getScore() : a.getScore() < b.getScore(),
                    "a " + (positive ? "positive" : "negative") + " outcome: score " + b.getScore() + " -> " + a.getScore());
        }
    }

    /** model-service has this decision's outcome already: a second report of it is a duplicate (and changes nothing). */
    boolean modelServiceHasTheOutcome(String decisionId) {
        return models.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder().setDecisionId(decisionId)
                .setRealisedPositive(true).setOutcomeTsMicros(1).build()).getStatus()
                == PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_DUPLICATE;
    }

    Decision logged(Decision.Builder d) throws Exception {
        Decision decision = d.build();
        log.append(decision).get();
        return decision;
    }

    ReportOutcomeResponse report(String id, double r) {
        return decisions.reportOutcome(ReportOutcomeRequest.newBuilder().setDecisionId(id).setRealisedReturn(r).build());
    }

    @Test
    void theFirstReportJoinsSettlesTheRiskAndMovesTheWeightsTheSecondIsADuplicate() throws Exception {
        String series = "outcome-" + UUID.randomUUID();
        Decision d = logged(predicted(decision(series, 1_000, Direction.DIRECTION_SHORT, 0.2, 0.3, "live", "edge", true)));
        risk.onDecision(series, -1, 0.2, PolicyParameters.defaults());
        assertEquals(-0.2, risk.read(series).getSeriesExposure(), 1e-9);
        EnsembleWeights before = weights();

        ReportOutcomeResponse r = report(d.getDecisionId(), -0.05);
        assertEquals(OutcomeStatus.OUTCOME_STATUS_JOINED, r.getStatus());
        assertEquals(0.2 * -1 * -0.05, r.getPnl(), 1e-15, "pnl = size x direction x realised return");
        assertTrue(r.getWeightsUpdated());
        assertFalse(r.getWeightsSnapshotId().isEmpty());
        assertEquals(0, risk.read(series).getSeriesExposure(), 1e-9, "the position is settled");
        EnsembleWeights after = weights();
        assertEquals(r.getWeightsSnapshotId(), after.getWeightsSnapshotId());
        // unset realised_positive = realised_return > 0: a negative outcome, so both members were wrong
        assertScoresMoved(before, after, false);

        ReportOutcomeResponse again = report(d.getDecisionId(), 0.5);
        assertEquals(OutcomeStatus.OUTCOME_STATUS_DUPLICATE, again.getStatus());
        assertEquals(0, again.getPnl());
        assertFalse(again.getWeightsUpdated());
        assertEquals(0, risk.read(series).getSeriesExposure(), 1e-9, "settled once only");
        assertEquals(-0.05, stored(d.getDecisionId(), "realised_return"), "the first report stays");
        assertEquals(after.getOutcomeCount(), weights().getOutcomeCount(), "the duplicate was not forwarded");
    }

    @Test
    void anOutcomeAfterTheJoinWindowIsLateStoredButNotCounted() throws Exception {
        long eightDaysAgo = nowMicros() - 8L * 24 * 3600 * 1_000_000;
        String series = "late-" + UUID.randomUUID();
        Decision d = logged(decision(series, 2_000, Direction.DIRECTION_LONG, 0.1, 0.8, "live").setDecidedTsMicros(eightDaysAgo));
        risk.onDecision(series, 1, 0.1, PolicyParameters.defaults());
        ReportOutcomeResponse r = report(d.getDecisionId(), 0.03);
        assertEquals(OutcomeStatus.OUTCOME_STATUS_LATE, r.getStatus());
        assertEquals(0, r.getPnl());
        assertFalse(r.getWeightsUpdated());
        assertEquals(0.03, stored(d.getDecisionId(), "realised_return"), "a late outcome is stored");
        assertEquals(0.1, risk.read(series).getSeriesExposure(), 1e-9, "and changes nothing else");
        assertEquals(OutcomeStatus.OUTCOME_STATUS_DUPLICATE, report(d.getDecisionId(), 0.03).getStatus());
    }

    @Test
    void anUnknownDecisionIsReportedAsSuchAndChangesNothing() {
        ReportOutcomeResponse r = report(UUID.randomUUID().toString(), 0.01);
        assertEquals(OutcomeStatus.OUTCOME_STATUS_UNKNOWN_DECISION, r.getStatus());
        assertFalse(r.getWeightsUpdated());
    }

    @Test
    void aDegradedDecisionJoinsWithoutWeights() throws Exception {
        Decision d = logged(degraded("degraded-" + UUID.randomUUID(), 3_000));
        ReportOutcomeResponse r = report(d.getDecisionId(), 0.01);
        assertEquals(OutcomeStatus.OUTCOME_STATUS_JOINED, r.getStatus());
        assertEquals(0, r.getPnl());
        assertFalse(r.getWeightsUpdated(), "no prediction, no weights to move");
    }

    @Test
    void whileModelServiceIsDownTheOutcomeJoinsAndTheWeightUpdateIsRetriedLater() throws Exception {
        Decision d = logged(predicted(decision("retry-" + UUID.randomUUID(), 4_000, Direction.DIRECTION_FLAT, 0, 0.6, "live")));
        EnsembleWeights before = weights();
        RealDependenciesProfile.services.models.pause(); // SIGSTOP: calls to it run out their deadline
        ReportOutcomeResponse r;
        try {
            r = report(d.getDecisionId(), 0.02);
            assertEquals(OutcomeStatus.OUTCOME_STATUS_JOINED, r.getStatus());
            assertFalse(r.getWeightsUpdated());
            assertEquals(1.0, stored(d.getDecisionId(), "weights_status"), "pending");
            outcomes.retryPending();
            assertEquals(1.0, stored(d.getDecisionId(), "weights_status"), "still pending while model-service is down");
        } finally {
            RealDependenciesProfile.services.models.resume();
        }
        assertTrue(outcomes.retryPending() >= 1);
        assertEquals(2.0, stored(d.getDecisionId(), "weights_status"), "sent once model-service is back");
        assertScoresMoved(before, weights(), true);
        assertTrue(modelServiceHasTheOutcome(d.getDecisionId()));
    }

    @Test
    void theRetryLeavesAnOutcomeThatItsReportIsStillForwardingAndPicksItUpIfThatReportDied() throws Exception {
        Decision d = logged(predicted(decision("in-flight-" + UUID.randomUUID(), 5_000, Direction.DIRECTION_FLAT, 0, 0.6, "live")));
        EnsembleWeights before = weights();
        RealDependenciesProfile.services.models.pause();
        try {
            assertFalse(report(d.getDecisionId(), 0.02).getWeightsUpdated());
        } finally {
            RealDependenciesProfile.services.models.resume();
        }
        // The state between ReportOutcome's commit and its call to model-service: pending, not yet attempted, just reported.
        update(d.getDecisionId(), "weights_attempts = 0, reported_ts_micros = " + nowMicros());
        outcomes.retryPending();
        assertEquals(1.0, stored(d.getDecisionId(), "weights_status"), "left to the report that is forwarding it");
        assertEquals(0.0, stored(d.getDecisionId(), "weights_attempts"), "not sent");

        // The report's process died before forwarding: once the grace (2 x the model deadline) has passed it is retried.
        update(d.getDecisionId(), "reported_ts_micros = " + (nowMicros() - 60_000_000L));
        assertTrue(outcomes.retryPending() >= 1);
        assertEquals(2.0, stored(d.getDecisionId(), "weights_status"), "sent");
        // Once in all: the report's own call, held while model-service was stopped, may have reached it on resume, and
        // then this one was its duplicate.
        assertScoresMoved(before, weights(), true);
    }

    @Test
    void badReportsAreRefusedNamingTheField() {
        String id = UUID.randomUUID().toString();
        invalid("decision_id", () -> decisions.reportOutcome(ReportOutcomeRequest.newBuilder().setRealisedReturn(0.1).build()));
        invalid("decision_id", () -> report("not-a-uuid", 0.1));
        invalid("decision_id", () -> report("1-2-3-4-5", 0.1));
        invalid("realised_return", () -> report(id, Double.NaN));
        invalid("realised_return", () -> report(id, Double.POSITIVE_INFINITY));
        invalid("realised_return", () -> report(id, Double.NEGATIVE_INFINITY));
        invalid("outcome_ts_micros", () -> decisions.reportOutcome(ReportOutcomeRequest.newBuilder().setDecisionId(id)
                .setRealisedReturn(0.1).setOutcomeTsMicros(-1).build()));
    }

    void update(String decisionId, String assignments) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE decision.decision SET " + assignments + " WHERE decision_id = ?")) {
            ps.setObject(1, UUID.fromString(decisionId));
            assertEquals(1, ps.executeUpdate());
        }
    }

    double stored(String decisionId, String column) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM decision.decision WHERE decision_id = ?")) {
            ps.setObject(1, UUID.fromString(decisionId));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getDouble(1);
            }
        }
    }
}
