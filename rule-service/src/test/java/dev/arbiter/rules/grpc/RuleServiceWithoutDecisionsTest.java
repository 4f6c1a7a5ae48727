package dev.arbiter.rules.grpc;

import static dev.arbiter.testing.RefusalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.ProposeRulesRequest;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleServiceGrpc.RuleServiceBlockingStub;
import dev.arbiter.proto.v1.RuleValidation;
import dev.arbiter.proto.v1.SubmitProposalRequest;
import dev.arbiter.proto.v1.ValidateRuleRequest;
import dev.arbiter.rules.testing.FeatureServiceResource;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * With decision-service unreachable (a closed port) and a real feature-service: rules are still validated and
 * proposals stored, and each answer says the live rules were not compared; what cannot be checked without them (the
 * rule a proposal replaces) is refused UNAVAILABLE.
 */
@QuarkusTest
@QuarkusTestResource(value = FeatureServiceResource.class, restrictToAnnotatedClass = true)
class RuleServiceWithoutDecisionsTest {

    @GrpcClient("rules")
    RuleServiceBlockingStub rules;

    private static final Rule RULE = Rule.newBuilder().setRuleId("lone").setKind(RuleKind.RULE_KIND_GATE)
            .setExpression("features.vol_cluster_10_50 < 1.5 && agreement >= 0.65").build();

    @Test
    void validationSaysTheLiveRulesWereNotComparedInsteadOfPassingSilently() {
        RuleValidation v = rules.validateRule(ValidateRuleRequest.newBuilder().setRule(RULE).build());
        assertTrue(v.getValid(), v::toString);
        assertTrue(v.getSteps(5).getDetail().contains("decision-service's live rules were not compared"), v.getSteps(5).getDetail());
    }

    @Test
    void aRoundWithoutASummaryNeedsDecisionServicesPerformance() {
        refused(Status.Code.UNAVAILABLE, "summary", () -> rules.proposeRules(ProposeRulesRequest.newBuilder()
                .setAuthor("ana").build()));
    }

    @Test
    void aProposalIsStoredAgainstNoKnownRuleSetButOneReplacingARuleIsRefusedUntilDecisionServiceAnswers() {
        SubmitProposalRequest submit = SubmitProposalRequest.newBuilder().setRule(RULE).setRationale("calm clusters")
                .setAuthor("ana").build();
        refused(Status.Code.UNAVAILABLE, "replaces_rule_id", () -> rules.submitProposal(submit.toBuilder()
                .setReplacesRuleId("calm_markets").build()));
        RuleProposal p = rules.submitProposal(submit);
        assertEquals(ProposalState.PROPOSAL_STATE_VALIDATED, p.getState(), p::toString);
        assertEquals(0, p.getBaseRuleSetVersion(), "the live rule set was not known");
    }
}
