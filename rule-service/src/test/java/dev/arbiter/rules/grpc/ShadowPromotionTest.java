package dev.arbiter.rules.grpc;

import static dev.arbiter.testing.RefusalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GetProposalRequest;
import dev.arbiter.proto.v1.GetRuleSetRequest;
import dev.arbiter.proto.v1.GetShadowRunRequest;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PromoteProposalRequest;
import dev.arbiter.proto.v1.ProposalEvent;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.RejectProposalRequest;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.RollbackProposalRequest;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleServiceGrpc.RuleServiceBlockingStub;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.proto.v1.SetRuleSetRequest;
import dev.arbiter.proto.v1.ShadowResult;
import dev.arbiter.proto.v1.StartShadowRequest;
import dev.arbiter.proto.v1.SubmitProposalRequest;
import dev.arbiter.rules.backtest.ProposalBacktests;
import dev.arbiter.rules.proposal.ShadowPromotions;
import dev.arbiter.rules.testing.OptimizerResource;
import dev.arbiter.rules.testing.ServicesResource;
import dev.arbiter.rules.testing.WebhookReceiverResource;
import dev.arbiter.testing.TestData;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A proposal's way through a shadow run, promotion and rollback, against real processes: feature-service,
 * model-service (an ensemble that answers p = 0.8, so warm decisions act LONG), decision-service deciding real MSFT
 * observations with the shadow rule set beside the live rules, and optimizer-service backtesting the proposals. The
 * test reports the outcomes, so which rule set was better is known: the decisions the candidate would have stayed out
 * of lose, the others win.
 */
@QuarkusTest
@QuarkusTestResource(value = ServicesResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "models", value = "0.8"))
@QuarkusTestResource(value = OptimizerResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = WebhookReceiverResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShadowPromotionTest {

    /** The live rules of this test: a gate that passes the MSFT days; the candidates add a trend condition. */
    static final Rule PERMISSIVE = Rule.newBuilder().setRuleId("not_wild").setKind(RuleKind.RULE_KIND_GATE)
            .setExpression("features.vol_20 < 0.5").build();

    @GrpcClient("rules")
    RuleServiceBlockingStub rules;

    @Inject
    ProposalBacktests backtests;

    @Inject
    ShadowPromotions shadows;

    DecisionServiceGrpc.DecisionServiceBlockingStub decisions;

    @BeforeEach
    void connect() {
        decisions = DecisionServiceGrpc.newBlockingStub(ServicesResource.decisions.channel);
    }

    /** Live rules {@link #PERMISSIVE}, and room for many positions (the caps are not what is tested here). */
    private int permissiveLiveRules() {
        decisions.setParameters(SetParametersRequest.newBuilder()
                .putValues("risk.max_series_exposure", ParameterValue.newBuilder().setDoubleValue(1.0).build())
                .putValues("risk.max_total_exposure", ParameterValue.newBuilder().setDoubleValue(10.0).build())
                .putValues("risk.cooldown_losses", ParameterValue.newBuilder().setIntValue(0).build())
                .setAuthor("test").setReason("room for the shadow test's positions").build());
        return decisions.setRuleSet(SetRuleSetRequest.newBuilder().addRules(PERMISSIVE).setAuthor("test")
                .setReason("the shadow test's live rules").build()).getVersion();
    }

    private RuleProposal backtested(String ruleId, String expression) throws Exception {
        RuleProposal p = rules.submitProposal(SubmitProposalRequest.newBuilder()
                .setRule(Rule.newBuilder().setRuleId(ruleId).setKind(RuleKind.RULE_KIND_GATE).setExpression(expression))
                .setRationale("act only on rising series").setAuthor("ana").build());
        assertEquals(ProposalState.PROPOSAL_STATE_VALIDATED, p.getState(), p::toString);
        backtests.drained().get(5, TimeUnit.MINUTES);
        RuleProposal b = get(p.getProposalId());
        assertEquals(ProposalState.PROPOSAL_STATE_BACKTESTED, b.getState(), b::toString);
        return b;
    }

    private RuleProposal get(String id) {
        return rules.getProposal(GetProposalRequest.newBuilder().setProposalId(id).build());
    }

    private static List<Observation> msft(String series) {
        TestData.Columns c = TestData.msft();
        List<Observation> out = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            out.add(Observation.newBuilder().setSeriesId(series).setTsMicros(c.ts()[i]).setValue(c.close()[i])
                    .setOpen(c.open()[i]).setHigh(c.high()[i]).setLow(c.low()[i]).setVolume(c.volume()[i]).build());
        }
        return out;
    }

    /**
     * Decides new MSFT series and reports every acted decision's outcome: a win where {@code winning} says so, else a
     * loss; until {@code discordant} live actions were ones the shadow rule set stayed out of (0: one series).
     * Answers the acted decisions.
     */
    private List<Decision> decideAndSettle(int discordant, java.util.function.Predicate<Decision> winning) {
        List<Decision> acted = new ArrayList<>();
        int stayedOut = 0;
        for (int round = 0; round < 12 && (round == 0 || stayedOut < discordant); round++) {
            for (Observation o : msft("shadow-" + UUID.randomUUID())) {
                Decision d = decisions.decide(DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(2000).build());
                assertFalse(d.getDegraded(), d::getDegradedReason);
                if (d.getDirection() == Direction.DIRECTION_FLAT) {
                    continue;
                }
                acted.add(d);
                if (d.hasShadow() && d.getShadow().getDirection() == Direction.DIRECTION_FLAT) {
                    stayedOut++;
                }
                decisions.reportOutcome(ReportOutcomeRequest.newBuilder().setDecisionId(d.getDecisionId())
                        .setRealisedReturn(winning.test(d) ? 0.01 : -0.01).setOutcomeTsMicros(d.getTsMicros() + 1).build());
            }
        }
        assertTrue(stayedOut >= discordant, "the shadow rule set stayed out of " + stayedOut + " live actions");
        return acted;
    }

    /** Where the candidate agrees with the live rules the action wins; where it would have stayed out, the action loses. */
    private static boolean candidateWouldAct(Decision d) {
        return d.hasShadow() && d.getShadow().getDirection() != Direction.DIRECTION_FLAT;
    }

    @Test
    @Order(1)
    void aBacktestedProposalRunsInShadowIsPromotedWhenTheSignTestSaysBetterAndRolledBackByHand() throws Exception {
        int live = permissiveLiveRules();
        RuleProposal p = backtested("rising", "features.roc_10 > 0.0");
        String id = p.getProposalId();
        assertEquals(live, p.getBaseRuleSetVersion());

        RuleProposal shadow = rules.startShadow(StartShadowRequest.newBuilder().setProposalId(id).setMinDecisions(8).setAuthor("ana").build());
        assertEquals(ProposalState.PROPOSAL_STATE_SHADOW, shadow.getState(), shadow::toString);
        ShadowResult s = shadow.getShadow();
        assertEquals(8, s.getMinDecisions());
        assertEquals(TimeUnit.DAYS.toMillis(7), s.getMaxDurationMs(), "the configured default");
        assertFalse(s.getComplete());
        RuleSet staged = decisions.getRuleSet(GetRuleSetRequest.newBuilder().setVersion(s.getRuleSetVersion()).build());
        assertFalse(staged.getLive(), "the candidate is staged, not live");
        assertEquals(List.of(PERMISSIVE, p.getRule()), staged.getRulesList(), "the live rules with the proposal");
        assertTrue(decisions.getShadowRun(GetShadowRunRequest.newBuilder().setShadowId(id).build()).getRunning());
        refused(Status.Code.FAILED_PRECONDITION, "proposal_id", () -> rules.promoteProposal(PromoteProposalRequest.newBuilder()
                .setProposalId(id).setAuthor("ana").setReason("too early").build()));

        decideAndSettle(8, ShadowPromotionTest::candidateWouldAct);
        shadows.check();
        RuleProposal complete = get(id);
        ShadowResult c = complete.getShadow();
        assertEquals(ProposalState.PROPOSAL_STATE_SHADOW, complete.getState(), complete::toString);
        assertTrue(c.getComplete() && c.getBetter(), c::toString);
        assertTrue(c.getCandidateBetter() >= 8, c::toString);
        assertEquals(0, c.getCandidateWorse(), "where both acted, both won");
        assertEquals(Math.pow(0.5, c.getCandidateBetter()), c.getPValue(), 1e-12, "P(all of n discordant better | no difference)");
        assertEquals(0, c.getCandidate().getFalsePositiveActions());
        assertEquals(c.getCandidateBetter(), c.getBaseline().getFalsePositiveActions());
        assertTrue(c.getVerdict().startsWith("better than the live rules"), c.getVerdict());
        assertFalse(decisions.getShadowRun(GetShadowRunRequest.newBuilder().setShadowId(id).build()).getRunning(),
                "a complete run is stopped in decision-service");
        assertTrue(WebhookReceiverResource.awaitBody(id + " (rule rising").contains("completed its shadow run"));

        RuleProposal promoted = rules.promoteProposal(PromoteProposalRequest.newBuilder().setProposalId(id).setAuthor("ana")
                .setReason("fewer losing actions in shadow").build());
        assertEquals(ProposalState.PROPOSAL_STATE_PROMOTED, promoted.getState(), promoted::toString);
        RuleSet now = decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance());
        assertEquals(promoted.getPromotedRuleSetVersion(), now.getVersion());
        assertEquals(List.of(PERMISSIVE, p.getRule()), now.getRulesList());
        assertEquals(List.of(id), now.getProposalIdsList(), "the version records the proposal it promotes");
        assertTrue(promoted.getGuard().getMaxFalsePositiveRate() > 0.5, promoted.getGuard()::toString);
        assertTrue(WebhookReceiverResource.awaitBody(id + " (rule rising").contains("was promoted by ana"));

        // with the promoted rules every action wins: the guard watches and does nothing
        decideAndSettle(0, d -> true);
        shadows.check();
        RuleProposal watched = get(id);
        assertEquals(ProposalState.PROPOSAL_STATE_PROMOTED, watched.getState());
        assertFalse(watched.getGuard().getBreached());
        assertTrue(watched.getGuard().getPromoted().getActionCount() > 0, watched.getGuard()::toString);
        assertEquals(0, watched.getGuard().getPromoted().getFalsePositiveActions());
        assertTrue(watched.getGuard().getStatus().startsWith("watching:"), watched.getGuard().getStatus());

        RuleProposal back = rules.rollbackProposal(RollbackProposalRequest.newBuilder().setProposalId(id).setAuthor("ben")
                .setReason("we prefer the simpler rules").build());
        assertEquals(ProposalState.PROPOSAL_STATE_ROLLED_BACK, back.getState());
        RuleSet after = decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance());
        assertEquals(back.getRollbackRuleSetVersion(), after.getVersion());
        assertEquals(List.of(PERMISSIVE), after.getRulesList(), "the rules before the promotion");
        assertTrue(WebhookReceiverResource.awaitBody(id + " (rule rising").contains("was rolled back by ben"));
        assertEquals(List.of(ProposalState.PROPOSAL_STATE_VALIDATED, ProposalState.PROPOSAL_STATE_BACKTESTED,
                        ProposalState.PROPOSAL_STATE_SHADOW, ProposalState.PROPOSAL_STATE_SHADOW, ProposalState.PROPOSAL_STATE_PROMOTED,
                        ProposalState.PROPOSAL_STATE_ROLLED_BACK),
                get(id).getHistoryList().stream().map(ProposalEvent::getState).toList(), "every step in the history");
        refused(Status.Code.FAILED_PRECONDITION, "proposal_id", () -> rules.rollbackProposal(RollbackProposalRequest.newBuilder()
                .setProposalId(id).setAuthor("ben").setReason("again").build()));
    }

    @Test
    @Order(2)
    void aPromotionWhoseFalsePositivesBreachTheGuardIsRolledBackAutomatically() throws Exception {
        int live = permissiveLiveRules();
        RuleProposal p = backtested("rising_agreed", "features.roc_10 > 0.0 && agreement >= 0.5");
        String id = p.getProposalId();
        rules.startShadow(StartShadowRequest.newBuilder().setProposalId(id).setMinDecisions(6).setAuthor("ana").build());
        decideAndSettle(6, ShadowPromotionTest::candidateWouldAct);
        shadows.check(true); // as with arbiter.rules.shadow.auto-promote=true
        RuleProposal promoted = get(id);
        assertEquals(ProposalState.PROPOSAL_STATE_PROMOTED, promoted.getState(), promoted::toString);
        assertTrue(promoted.getStateReason().startsWith("promoted by rule-service"), promoted.getStateReason());

        // with the promoted rules every action loses: more false positives than the live rules had in shadow
        decideAndSettle(0, d -> false);
        shadows.check();
        RuleProposal rolledBack = get(id);
        assertEquals(ProposalState.PROPOSAL_STATE_ROLLED_BACK, rolledBack.getState(), rolledBack::toString);
        assertTrue(rolledBack.getGuard().getBreached());
        assertTrue(rolledBack.getStateReason().contains("guard breached: false-positive rate 1.000"), rolledBack.getStateReason());
        assertEquals(live, decisions.getRuleSet(GetRuleSetRequest.newBuilder().setVersion(rolledBack.getRollbackRuleSetVersion())
                .build()).getSourceVersion(), "a copy of the rules before the promotion");
        assertTrue(decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance()).getLive());
        assertTrue(WebhookReceiverResource.awaitBody("was promoted by rule-service").contains(id + " (rule rising_agreed"));
        assertTrue(WebhookReceiverResource.awaitBody("was rolled back by rule-service").contains(id + " (rule rising_agreed"));
    }

    @Test
    @Order(3)
    void badShadowPromotionAndRollbackRequestsAreRefusedAndARejectedShadowStops() throws Exception {
        permissiveLiveRules();
        RuleProposal p = backtested("momentum", "features.mom_10 > 0.0");
        String id = p.getProposalId();
        StartShadowRequest ok = StartShadowRequest.newBuilder().setProposalId(id).setAuthor("ana").build();
        refused(Status.Code.INVALID_ARGUMENT, "proposal_id", () -> rules.startShadow(ok.toBuilder().setProposalId("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "proposal_id", () -> rules.startShadow(ok.toBuilder().setProposalId("p".repeat(65)).build()));
        refused(Status.Code.INVALID_ARGUMENT, "proposal_id", () -> rules.startShadow(ok.toBuilder().setProposalId("p\u0007").build()));
        refused(Status.Code.INVALID_ARGUMENT, "author", () -> rules.startShadow(ok.toBuilder().setAuthor("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "min_decisions", () -> rules.startShadow(ok.toBuilder().setMinDecisions(1_000_001).build()));
        refused(Status.Code.INVALID_ARGUMENT, "max_duration_ms", () -> rules.startShadow(ok.toBuilder().setMaxDurationMs(-1).build()));
        refused(Status.Code.NOT_FOUND, "proposal_id", () -> rules.startShadow(ok.toBuilder().setProposalId("proposal-999999").build()));
        PromoteProposalRequest promote = PromoteProposalRequest.newBuilder().setProposalId(id).setAuthor("ana").setReason("r").build();
        refused(Status.Code.INVALID_ARGUMENT, "reason", () -> rules.promoteProposal(promote.toBuilder().setReason("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "author", () -> rules.promoteProposal(promote.toBuilder().setAuthor("a\u0000").build()));
        refused(Status.Code.FAILED_PRECONDITION, "skip_shadow", () -> rules.promoteProposal(promote.toBuilder().setSkipShadow(true).build()));
        refused(Status.Code.FAILED_PRECONDITION, "proposal_id", () -> rules.promoteProposal(promote));
        RollbackProposalRequest rollback = RollbackProposalRequest.newBuilder().setProposalId(id).setAuthor("ana").setReason("r").build();
        refused(Status.Code.INVALID_ARGUMENT, "reason", () -> rules.rollbackProposal(rollback.toBuilder().setReason("").build()));
        refused(Status.Code.NOT_FOUND, "proposal_id", () -> rules.rollbackProposal(rollback.toBuilder().setProposalId("proposal-999999").build()));
        refused(Status.Code.FAILED_PRECONDITION, "proposal_id", () -> rules.rollbackProposal(rollback));

        // a rejected shadow stops in decision-service; another proposal can then run
        rules.startShadow(ok);
        RuleProposal q = backtested("not_falling_fast", "features.roc_10 > -0.5");
        StartShadowRequest other = StartShadowRequest.newBuilder().setProposalId(q.getProposalId()).setAuthor("ana").build();
        refused(Status.Code.FAILED_PRECONDITION, "proposal_id", () -> rules.startShadow(other));
        rules.rejectProposal(RejectProposalRequest.newBuilder().setProposalId(id).setAuthor("ana").setReason("changed my mind").build());
        assertFalse(decisions.getShadowRun(GetShadowRunRequest.newBuilder().setShadowId(id).build()).getRunning());
        refused(Status.Code.FAILED_PRECONDITION, "proposal_id", () -> rules.startShadow(ok));

        // the live rules moved since q was proposed: its comparison no longer holds
        decisions.setRuleSet(SetRuleSetRequest.newBuilder().addRules(PERMISSIVE).addRules(Rule.newBuilder().setRuleId("calm")
                .setKind(RuleKind.RULE_KIND_GATE).setExpression("features.vol_20 < 0.4")).setAuthor("test").setReason("moved").build());
        var moved = refused(Status.Code.FAILED_PRECONDITION, "proposal_id", () -> rules.startShadow(other));
        assertTrue(moved.getStatus().getDescription().contains("re-propose it against the new rules"), moved::toString);
    }
}
