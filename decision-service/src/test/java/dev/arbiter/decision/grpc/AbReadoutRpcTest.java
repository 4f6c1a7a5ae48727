package dev.arbiter.decision.grpc;

import static dev.arbiter.decision.testing.Refusals.invalid;
import static dev.arbiter.decision.testing.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.Msft;
import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.decision.testing.RiskReset;
import dev.arbiter.engine.experiment.Assignment;
import dev.arbiter.proto.v1.AbReadout;
import dev.arbiter.proto.v1.AbVerdict;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GetAbReadoutRequest;
import dev.arbiter.proto.v1.ListVariantsRequest;
import dev.arbiter.proto.v1.ListVariantsResponse;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.proto.v1.SetVariantsRequest;
import dev.arbiter.proto.v1.Variant;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The A/B readout over real decisions and outcomes: a variant whose gates let nothing through against the live policy
 * acting on an ensemble that answers 0.8, with every outcome a rise, so B is worse; the readout counts exactly the
 * blocks and series the decisions went to (assignment by the experiment's salt), and each bad request is refused naming
 * its field. The salt: a new experiment reassigns series, the same salt keeps the assignment and the start.
 */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class AbReadoutRpcTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    @Inject
    RedisDataSource redis;

    static SetVariantsRequest.Builder set(String salt, Variant... variants) {
        return SetVariantsRequest.newBuilder().addAllVariants(List.of(variants)).setAuthor("test").setReason("a/b readout").setSalt(salt);
    }

    static Variant variant(String name, double split, int parameters) {
        return Variant.newBuilder().setName(name).setSplitFraction(split).setParameterSetVersion(parameters).setDescription("test").build();
    }

    @Test
    void aVariantThatNeverActsReadsWorseThanTheLivePolicyOnTheBlocksItWasGiven() throws Exception {
        RealDependenciesProfile.ensembleAnswers(0.8);
        io.smallrye.faulttolerance.api.CircuitBreakerMaintenance.get().resetAll();
        RiskReset.clear(redis, RealDependenciesProfile.redisPrefix);
        ParameterSet closed = decisions.setParameters(SetParametersRequest.newBuilder()
                .putValues("gate.min_edge", ParameterValue.newBuilder().setDoubleValue(0.5).build())
                .putValues("gate.min_confidence", ParameterValue.newBuilder().setDoubleValue(1.0).build())
                .setStageOnly(true).setAuthor("test").setReason("a variant that never acts").build());
        String salt = "ab-readout-" + UUID.randomUUID();
        try {
            ListVariantsResponse variants = decisions.setVariants(set(salt, variant("closed", 0.5, closed.getVersion())).build());
            assertEquals(salt, variants.getSalt());
            assertTrue(variants.getStartedTsMicros() > 0);

            String run = UUID.randomUUID().toString();
            Map<String, Set<String>> seriesPerArm = new HashMap<>();
            Map<String, Integer> blocksPerArm = new HashMap<>();
            // four series in each arm (picked by the salted hash, so the split is exact), each deciding on 100 days
            List<String> series = new ArrayList<>();
            int[] picked = new int[2];
            for (int k = 0; picked[0] < 4 || picked[1] < 4; k++) {
                String id = "ab-" + k + "-" + run;
                int arm = Assignment.arm(salt, id, new double[] {0.5}) == 0 ? 0 : 1;
                if (picked[arm] < 4) {
                    picked[arm]++;
                    series.add(id);
                }
            }
            for (String id : series) {
                String expected = Assignment.arm(salt, id, new double[] {0.5}) == 0 ? "closed" : "live";
                List<Observation> observations = Msft.observations(id, 100);
                for (Observation o : observations) {
                    Decision d = decisions.decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(2000).build());
                    assertEquals(expected, d.getVersions().getVariantName(), "assigned by the salted hash");
                    if (d.getVersions().getVariantName().equals("closed")) {
                        assertEquals(Direction.DIRECTION_FLAT, d.getDirection());
                    }
                    assertEquals(OutcomeStatus.OUTCOME_STATUS_JOINED, decisions.reportOutcome(ReportOutcomeRequest.newBuilder()
                            .setDecisionId(d.getDecisionId()).setRealisedReturn(0.01).build()).getStatus());
                    seriesPerArm.computeIfAbsent(expected, k -> new HashSet<>()).add(id);
                    blocksPerArm.merge(expected, 1, Integer::sum); // daily observations: one block per decision
                }
            }
            AbReadout readout = decisions.getAbReadout(GetAbReadoutRequest.newBuilder().setVariantName("closed").build());
            assertEquals("live", readout.getControl().getName());
            assertEquals("closed", readout.getTreatment().getName());
            assertEquals(0.5, readout.getTreatment().getShare(), 1e-12);
            assertEquals(seriesPerArm.get("live").size(), readout.getControl().getSeries());
            assertEquals(seriesPerArm.get("closed").size(), readout.getTreatment().getSeries());
            assertEquals((long) blocksPerArm.get("live"), readout.getControl().getBlocks());
            assertEquals((long) blocksPerArm.get("closed"), readout.getTreatment().getBlocks());
            assertEquals(0.0, readout.getTreatment().getPnlPerBlock(), 0.0, "B never acts");
            assertTrue(readout.getControl().getPnlPerBlock() > 0, "the live policy acts on rises: " + readout.getControl());
            assertTrue(readout.getPnlPerBlock().getUpper() < 0, "B is worse at every look's error level: " + readout.getPnlPerBlock());
            assertTrue(readout.getSrmPValue() > 0.001, "the split holds: " + readout.getSrmPValue());
            assertEquals(AbVerdict.AB_VERDICT_B_WORSE, readout.getVerdict());
            assertEquals(0.05, readout.getAlpha(), 0.0);
            assertTrue(readout.getRule().contains("always-valid"), readout.getRule());
            assertEquals(variants.getStartedTsMicros(), readout.getSinceTsMicros());

            // the same salt keeps the experiment; none starts a new one, with other series in each arm
            ListVariantsResponse kept = decisions.setVariants(set(salt, variant("closed", 0.5, closed.getVersion())).build());
            assertEquals(variants.getStartedTsMicros(), kept.getStartedTsMicros());
            ListVariantsResponse fresh = decisions.setVariants(set("", variant("closed", 0.5, closed.getVersion())).build());
            assertNotEquals(salt, fresh.getSalt());
            assertTrue(fresh.getStartedTsMicros() > kept.getStartedTsMicros());
            assertEquals(fresh, decisions.listVariants(ListVariantsRequest.getDefaultInstance()));
            AbReadout empty = decisions.getAbReadout(GetAbReadoutRequest.newBuilder().setVariantName("closed").setControlName("live").build());
            assertEquals(0, empty.getControl().getBlocks(), "a new experiment counts from its start");
            assertEquals(AbVerdict.AB_VERDICT_CONTINUE, empty.getVerdict());
            assertEquals(Double.POSITIVE_INFINITY, empty.getPnlPerBlock().getUpper());
        } finally {
            decisions.setVariants(set("").build());
        }
    }

    @Test
    void everyBadRequestIsRefusedNamingItsField() {
        try {
            decisions.setVariants(set("", variant("b", 0.3, 0), variant("empty", 0, 0)).build());
            invalid("variant_name", () -> decisions.getAbReadout(GetAbReadoutRequest.getDefaultInstance()));
            invalid("variant_name", () -> decisions.getAbReadout(GetAbReadoutRequest.newBuilder().setVariantName("live").build()));
            invalid("control_name", () -> decisions.getAbReadout(GetAbReadoutRequest.newBuilder().setVariantName("b").setControlName("b").build()));
            refused(Status.Code.NOT_FOUND, "variant_name", () -> decisions.getAbReadout(GetAbReadoutRequest.newBuilder().setVariantName("nope").build()));
            refused(Status.Code.NOT_FOUND, "control_name", () -> decisions.getAbReadout(GetAbReadoutRequest.newBuilder().setVariantName("b").setControlName("nope").build()));
            refused(Status.Code.FAILED_PRECONDITION, "variant_name", () -> decisions.getAbReadout(GetAbReadoutRequest.newBuilder().setVariantName("empty").build()));
            invalid("salt", () -> decisions.setVariants(set("has space", variant("b", 0.3, 0)).build()));
            invalid("salt", () -> decisions.setVariants(set("x".repeat(65), variant("b", 0.3, 0)).build()));
            invalid("salt", () -> decisions.setVariants(set("é", variant("b", 0.3, 0)).build()));
        } finally {
            decisions.setVariants(set("").build());
        }
    }
}
