package dev.arbiter.decision.grpc;

import static dev.arbiter.decision.testing.Decisions.degraded;
import static dev.arbiter.decision.testing.Decisions.nowMicros;
import static dev.arbiter.decision.testing.Refusals.invalid;
import static dev.arbiter.decision.testing.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.decide.DecisionExplanation;
import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.decision.policy.PolicySnapshot;
import dev.arbiter.decision.testing.Decisions;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.engine.policy.DecisionPolicy;
import dev.arbiter.engine.policy.PolicyInput;
import dev.arbiter.engine.policy.PolicyResult;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionDifference;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.DecisionVersions;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.ReplayDecisionRequest;
import dev.arbiter.proto.v1.ReplayDecisionResponse;
import dev.arbiter.proto.v1.ReplayMode;
import dev.arbiter.proto.v1.RiskState;
import dev.arbiter.proto.v1.RollbackParametersRequest;
import dev.arbiter.proto.v1.SetParametersRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** ReplayDecision: the recorded versions reproduce a decision exactly; today's live versions show what changed. */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class ReplayRpcTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    DecisionLog log;

    @Inject
    LivePolicy policy;

    /** A decision made as the decide path makes it: live policy, engine DecisionPolicy, logged features and risk state. */
    Decision decided(String series) throws Exception {
        FeatureSchema schema = Decisions.featureSchema();
        List<String> names = schema.getNamesList();
        double[] values = new double[names.size()];
        values[names.indexOf("vol_20")] = 0.01;
        values[names.indexOf("efficiency_ratio_14")] = 0.6;
        PolicySnapshot snapshot = policy.forSeries(series, LivePolicy.LIVE, names);
        RiskState risk = RiskState.newBuilder().setExposure(0.1).setSeriesExposure(0.05).setDrawdown(0.01).build();
        PolicyInput in = new PolicyInput().set(0.8, 0.9, 0.01, 0.6, true, risk.getDrawdown(), risk.getExposure(), risk.getSeriesExposure(), 0);
        in.features = values;
        PolicyResult out = new PolicyResult();
        DecisionPolicy p = new DecisionPolicy(snapshot.parameters());
        p.decide(in, snapshot.rules(), out);
        FeatureVector.Builder f = FeatureVector.newBuilder().setSeriesId(series).setTsMicros(5).setSchemaId(schema.getSchemaId()).setWarm(true);
        for (double v : values) {
            f.addValues(v);
        }
        Decision.Builder d = Decision.newBuilder()
                .setDecisionId(UUID.randomUUID().toString())
                .setSeriesId(series)
                .setTsMicros(5)
                .setEnsembleProbability(0.8)
                .setAgreement(0.9)
                .setFeatures(f)
                .setRiskState(risk)
                .setPredictionId(UUID.randomUUID().toString())
                .setDecidedTsMicros(nowMicros())
                .setVersions(DecisionVersions.newBuilder().setVariantName(snapshot.variantName())
                        .setParameterSetVersion(snapshot.parameterSetVersion()).setRuleSetVersion(snapshot.ruleSetVersion())
                        .setFeatureSchemaId(schema.getSchemaId()));
        DecisionExplanation.apply(d, p, in, snapshot.rules(), out);
        Decision decision = d.build();
        log.append(decision).get();
        return decision;
    }

    ReplayDecisionResponse replay(Decision d, ReplayMode mode) {
        return decisions.replayDecision(ReplayDecisionRequest.newBuilder().setDecisionId(d.getDecisionId()).setMode(mode).build());
    }

    @Test
    void theRecordedVersionsReproduceTheDecisionAndTodaysLiveVersionsShowWhatChanged() throws Exception {
        Decision d = decided("replay-" + UUID.randomUUID());
        ReplayDecisionResponse same = replay(d, ReplayMode.REPLAY_MODE_UNSPECIFIED);
        assertTrue(same.getIdentical(), same.getDifferencesList().toString());
        assertEquals(d, same.getOriginal());
        assertEquals("", same.getReplayed().getDecisionId());
        assertEquals(d.getGatesList(), same.getReplayed().getGatesList());
        assertEquals(d.getReasonsList(), same.getReplayed().getReasonsList());

        int before = d.getVersions().getParameterSetVersion();
        decisions.setParameters(SetParametersRequest.newBuilder().putValues("gate.min_agreement", ParameterValue.newBuilder().setDoubleValue(0.95).build())
                .setAuthor("test").setReason("demand near unanimity").build());
        try {
            assertTrue(replay(d, ReplayMode.REPLAY_MODE_RECORDED_VERSIONS).getIdentical(), "recorded versions do not move with the live ones");
            ReplayDecisionResponse now = replay(d, ReplayMode.REPLAY_MODE_LIVE_VERSIONS);
            assertFalse(now.getIdentical());
            assertEquals(Direction.DIRECTION_FLAT, now.getReplayed().getDirection());
            List<String> fields = now.getDifferencesList().stream().map(DecisionDifference::getField).toList();
            assertTrue(fields.contains("versions.parameter_set_version"), fields.toString());
            assertTrue(fields.contains("gates[agreement].passed"), fields.toString());
            assertTrue(fields.contains("gates[agreement].threshold"), fields.toString());
            if (d.getDirection() != Direction.DIRECTION_FLAT) {
                assertTrue(fields.contains("direction"), fields.toString());
                assertTrue(fields.contains("size"), fields.toString());
            }
        } finally {
            decisions.rollbackParameters(RollbackParametersRequest.newBuilder().setToVersion(before).setAuthor("test").setReason("restore").build());
        }
    }

    @Test
    void whatCannotBeReplayedIsRefusedNamingTheField() throws Exception {
        Decision down = degraded("replay-degraded-" + UUID.randomUUID(), 9).build();
        log.append(down).get();
        refused(Status.Code.FAILED_PRECONDITION, "decision_id", () -> replay(down, ReplayMode.REPLAY_MODE_RECORDED_VERSIONS));
        refused(Status.Code.NOT_FOUND, "decision_id", () -> decisions.replayDecision(ReplayDecisionRequest.newBuilder()
                .setDecisionId(UUID.randomUUID().toString()).build()));
        invalid("decision_id", () -> decisions.replayDecision(ReplayDecisionRequest.getDefaultInstance()));
        invalid("decision_id", () -> decisions.replayDecision(ReplayDecisionRequest.newBuilder().setDecisionId("x").build()));
        invalid("mode", () -> decisions.replayDecision(ReplayDecisionRequest.newBuilder().setDecisionId(down.getDecisionId()).setModeValue(77).build()));
    }
}
