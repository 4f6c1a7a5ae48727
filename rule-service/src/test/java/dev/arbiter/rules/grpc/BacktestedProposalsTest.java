package dev.arbiter.rules.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.BacktestComparison;
import dev.arbiter.proto.v1.GetBacktestReportRequest;
import dev.arbiter.proto.v1.GetProposalRequest;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.ProposalEvent;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposeRulesRequest;
import dev.arbiter.proto.v1.ProposeRulesResponse;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleServiceGrpc.RuleServiceBlockingStub;
import dev.arbiter.proto.v1.SubmitProposalRequest;
import dev.arbiter.rules.backtest.ProposalBacktests;
import dev.arbiter.rules.testing.OptimizerResource;
import dev.arbiter.rules.testing.ServicesResource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A VALIDATED proposal is backtested through a real optimizer-service's walk-forward on the real electricity series
 * (the live rules from a real decision-service, against the live rules with the proposal), and becomes BACKTESTED
 * with the comparison and its multiple-testing count.
 */
@QuarkusTest
@QuarkusTestResource(value = ServicesResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = OptimizerResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BacktestedProposalsTest {

    @GrpcClient("rules")
    RuleServiceBlockingStub rules;

    @Inject
    ProposalBacktests backtests;

    private RuleProposal submitAndBacktest(String id, String expression) throws Exception {
        RuleProposal p = rules.submitProposal(SubmitProposalRequest.newBuilder()
                .setRule(Rule.newBuilder().setRuleId(id).setKind(RuleKind.RULE_KIND_GATE).setExpression(expression))
                .setRationale("a test of the backtest").setAuthor("ana").build());
        assertEquals(ProposalState.PROPOSAL_STATE_VALIDATED, p.getState(), p::toString);
        assertEquals("passed every validation step; its backtest is queued", p.getStateReason());
        backtests.drained().get(5, TimeUnit.MINUTES);
        return rules.getProposal(GetProposalRequest.newBuilder().setProposalId(p.getProposalId()).build());
    }

    @Test
    @Order(1)
    void validatedProposalsAreBacktestedAgainstTheLiveRulesAndCountedPerWindow() throws Exception {
        RuleProposal never = submitAndBacktest("never_acts", "agreement > 2.0");
        assertEquals(ProposalState.PROPOSAL_STATE_BACKTESTED, never.getState(), never::toString);
        BacktestComparison first = never.getBacktest();
        assertFalse(first.getBetter(), first::toString);
        assertEquals(0, first.getCandidate().getActionCount(), "a gate that is never true blocks every action");
        assertTrue(first.getBaseline().getDecisionCount() > 1000, first::toString);
        assertEquals(first.getBaseline().getDecisionCount(), first.getCandidate().getDecisionCount(), "the same folds");
        assertEquals(0, first.getProposalsTested());
        assertTrue(first.getWindow().contains(OptimizerResource.SERIES), first.getWindow());
        assertTrue(never.getStateReason().startsWith("not better than the live rules: deflated Sharpe"), never.getStateReason());
        assertEquals(List.of(ProposalState.PROPOSAL_STATE_VALIDATED, ProposalState.PROPOSAL_STATE_BACKTESTED),
                never.getHistoryList().stream().map(ProposalEvent::getState).toList());
        assertEquals("rule-service", never.getHistory(1).getAuthor());
        assertEquals(first.getBacktestReportId(), OptimizerServiceGrpc.newBlockingStub(OptimizerResource.optimizer.channel)
                .getBacktestReport(GetBacktestReportRequest.newBuilder().setReportId(first.getBacktestReportId()).build())
                .getReportId(), "the candidate's report is optimizer-service's");

        RuleProposal always = submitAndBacktest("always_true", "confidence < 2.0");
        BacktestComparison second = always.getBacktest();
        assertEquals(1, second.getProposalsTested(), "the first proposal tried on this window counts");
        assertEquals(second.getBaseline(), second.getCandidate(), "a gate that always passes changes nothing");
        assertEquals(first.getBaseline(), second.getBaseline(), "the same live rules, the same baseline");
        assertTrue(second.getDeflatedSharpe() < 0.5, second::toString);
        assertFalse(second.getBetter());
    }

    @Test
    @Order(2)
    void withoutAnLlmTheOfflineSearchProposesTunedRulesJudgedOnHistoryItNeverSaw() throws Exception {
        long start = System.nanoTime();
        ProposeRulesResponse r = rules.proposeRules(ProposeRulesRequest.newBuilder().setMaxProposals(2).setAuthor("ana").build());
        assertTrue(r.getDegraded(), r::toString);
        assertEquals(ProposalSource.PROPOSAL_SOURCE_LOCAL_SEARCH, r.getSource());
        assertTrue(r.getDegradedReason().startsWith("no LLM is configured") && r.getDegradedReason()
                .endsWith("the proposals come from the offline search"), r.getDegradedReason());
        // agreement_floor comes first, but with one member the agreement is always 1: no constant changes an action,
        // so it is not proposed and the next templates are tuned instead
        assertEquals(2, r.getProposalsCount(), r::toString);
        assertFalse(r.getProposalsList().stream().anyMatch(p -> p.getRule().getRuleId().equals("offline_agreement_floor")),
                r::toString);
        java.util.regex.Pattern changed = java.util.regex.Pattern.compile("false positives (\\d+) vs (\\d+), actions (\\d+) vs (\\d+)");
        for (RuleProposal p : r.getProposalsList()) {
            assertEquals(ProposalSource.PROPOSAL_SOURCE_LOCAL_SEARCH, p.getSource());
            assertEquals("local-search", p.getAuthor());
            assertTrue(p.getRule().getExpression().matches("(confidence|trend_strength) >= 0\\.\\d\\d( && agreement >= 0\\.\\d\\d)?"),
                    p.getRule().getExpression());
            assertTrue(p.getRationale().contains("tuned by TPE over 12 walk-forward backtests on the tuning window"),
                    p.getRationale());
            java.util.regex.Matcher m = changed.matcher(p.getRationale());
            assertTrue(m.find() && !(m.group(1).equals(m.group(2)) && m.group(3).equals(m.group(4))),
                    "a proposed rule changes something on the tuning window: " + p.getRationale());
            assertEquals(ProposalState.PROPOSAL_STATE_VALIDATED, p.getState(), p::toString);
        }
        backtests.drained().get(5, TimeUnit.MINUTES);
        long millis = (System.nanoTime() - start) / 1_000_000;
        for (RuleProposal p : r.getProposalsList()) {
            RuleProposal judged = rules.getProposal(GetProposalRequest.newBuilder().setProposalId(p.getProposalId()).build());
            assertEquals(ProposalState.PROPOSAL_STATE_BACKTESTED, judged.getState(), judged::toString);
            assertTrue(judged.getBacktest().getProposalsTested() >= 2, "the earlier proposals on this window count");
            System.out.printf("offline proposal %s: %s -> %s%n", judged.getProposalId(), judged.getRule().getExpression(),
                    judged.getStateReason());
        }
        System.out.printf("offline round: 2 proposals tuned, validated and backtested in %d ms%n", millis);
    }
}
