package dev.arbiter.rules.grpc;

import static dev.arbiter.testing.RefusalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.GetProposalRequest;
import dev.arbiter.proto.v1.GetRuleSetRequest;
import dev.arbiter.proto.v1.ListProposalsRequest;
import dev.arbiter.proto.v1.ListProposalsResponse;
import dev.arbiter.proto.v1.ProposalEvent;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.RejectProposalRequest;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleServiceGrpc.RuleServiceBlockingStub;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.SubmitProposalRequest;
import dev.arbiter.proto.v1.ValidationStage;
import dev.arbiter.rules.testing.ServicesResource;
import dev.arbiter.rules.testing.WebhookReceiverResource;
import dev.arbiter.service.PageTokens;
import dev.arbiter.service.WebhookAlerts;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SubmitProposal, GetProposal, ListProposals and RejectProposal over real gRPC, stored in the real PostgreSQL, the
 * features and live rules read from real feature-service and decision-service processes; every refusal of the four.
 * Each test uses expressions of its own (distinct features and shapes), since every stored proposal is an earlier
 * proposal that later ones must not duplicate.
 */
@QuarkusTest
@QuarkusTestResource(value = ServicesResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = WebhookReceiverResource.class, restrictToAnnotatedClass = true)
class ProposalsTest {

    /** Distinct thresholds make distinct rules only up to 5%; distinct variables make distinct structures. */
    private static final AtomicInteger IDS = new AtomicInteger();

    @GrpcClient("rules")
    RuleServiceBlockingStub rules;

    private static SubmitProposalRequest.Builder submission(String expression) {
        return SubmitProposalRequest.newBuilder()
                .setRule(Rule.newBuilder().setRuleId("candidate_" + IDS.incrementAndGet()).setKind(RuleKind.RULE_KIND_GATE)
                        .setExpression(expression).setDescription("a test rule"))
                .setRationale("blocks trades in choppy markets")
                .setAuthor("ana");
    }

    private RuleProposal submit(String expression) {
        return rules.submitProposal(submission(expression).build());
    }

    private RuleProposal get(String id) {
        return rules.getProposal(GetProposalRequest.newBuilder().setProposalId(id).build());
    }

    private RuleProposal reject(String id) {
        return rules.rejectProposal(RejectProposalRequest.newBuilder().setProposalId(id).setAuthor("bo")
                .setReason("not convinced").build());
    }

    @Test
    void aValidRuleIsStoredValidatedWithEveryStepAndItsHistory() {
        RuleSet live = DecisionServiceGrpc.newBlockingStub(ServicesResource.decisions.channel)
                .getRuleSet(GetRuleSetRequest.getDefaultInstance());
        RuleProposal p = submit("features.efficiency_ratio_14 > 0.35 && confidence >= 0.6");
        assertTrue(p.getProposalId().matches("proposal-\\d+"), p.getProposalId());
        assertEquals(ProposalState.PROPOSAL_STATE_VALIDATED, p.getState(), p::toString);
        assertEquals(ProposalSource.PROPOSAL_SOURCE_HUMAN, p.getSource());
        assertTrue(p.getValidation().getValid());
        assertEquals(6, p.getValidation().getStepsCount());
        assertEquals(live.getVersion(), p.getBaseRuleSetVersion());
        assertEquals("ana", p.getAuthor());
        assertTrue(p.getCreatedTsMicros() > 0 && p.getCreatedTsMicros() == p.getUpdatedTsMicros());
        assertEquals(0, p.getHistoryCount(), "the submit answer has no history; GetProposal has");

        RuleProposal read = get(p.getProposalId());
        assertEquals(p, read.toBuilder().clearHistory().build());
        assertEquals(List.of(ProposalState.PROPOSAL_STATE_VALIDATED),
                read.getHistoryList().stream().map(ProposalEvent::getState).toList());
        assertEquals("ana", read.getHistory(0).getAuthor());
    }

    @Test
    void aRuleThatFailsAStepIsStoredWithTheReasonAndDoesNotBlockARetry() {
        RuleProposal leak = submit("next_return > 0.01");
        assertEquals(ProposalState.PROPOSAL_STATE_VALIDATION_FAILED, leak.getState());
        assertEquals(ValidationStage.VALIDATION_STAGE_LEAKAGE, leak.getValidation().getFailedStage());
        assertTrue(leak.getStateReason().contains("look-ahead"), leak.getStateReason());
        assertEquals(leak, get(leak.getProposalId()).toBuilder().clearHistory().build());
        // a failed proposal is not an earlier proposal to duplicate: the same text fails for its own reason again
        RuleProposal again = submit("next_return > 0.01");
        assertEquals(ValidationStage.VALIDATION_STAGE_LEAKAGE, again.getValidation().getFailedStage());
    }

    @Test
    void aNearDuplicateOfAnEarlierProposalIsRefusedEvenWhenThatOneWasRejected() {
        RuleProposal first = submit("features.skew_50 < 0.7 && agreement >= 0.7");
        reject(first.getProposalId());
        // operands swapped, a comparison mirrored, the constants moved by under 5%: the same rule
        RuleProposal copy = submit("0.71 <= agreement && 0.71 > features.skew_50");
        assertEquals(ProposalState.PROPOSAL_STATE_VALIDATION_FAILED, copy.getState(), copy::toString);
        assertEquals(ValidationStage.VALIDATION_STAGE_DUPLICATE, copy.getValidation().getFailedStage());
        assertTrue(copy.getStateReason().contains("earlier proposal " + first.getProposalId()), copy.getStateReason());
    }

    @Test
    void theSameRuleSentEightTimesAtOnceIsStoredValidOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RuleProposal>> sent = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                sent.add(pool.submit(() -> {
                    go.await();
                    return submit("features.kurt_50 < 4.0 && probability > 0.62");
                }));
            }
            go.countDown();
            List<RuleProposal> answers = new ArrayList<>();
            for (Future<RuleProposal> f : sent) {
                answers.add(f.get());
            }
            assertEquals(1, answers.stream().filter(p -> p.getState() == ProposalState.PROPOSAL_STATE_VALIDATED).count(),
                    answers::toString);
            assertEquals(7, answers.stream().filter(p -> p.getValidation().getFailedStage()
                    == ValidationStage.VALIDATION_STAGE_DUPLICATE).count());
            assertEquals(8, answers.stream().map(RuleProposal::getProposalId).distinct().count());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void listsAreNewestFirstFilteredAndPagedWithoutGapsOrRepeats() {
        RuleProposal a = submit("features.mom_10 > 0.0 && volatility < 0.05");
        RuleProposal b = submit("future_price > 1.0");
        RuleProposal c = submit("features.roc_10 < 2.5 && drawdown < 0.1");
        reject(c.getProposalId());

        List<RuleProposal> all = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        String token = "";
        do {
            ListProposalsResponse page = rules.listProposals(ListProposalsRequest.newBuilder().setPageSize(2)
                    .setPageToken(token).build());
            assertTrue(page.getProposalsCount() <= 2);
            all.addAll(page.getProposalsList());
            token = page.getNextPageToken();
            assertTrue(token.isEmpty() || tokens.add(token), "a token repeats");
        } while (!token.isEmpty());
        List<Long> seqs = all.stream().map(p -> Long.parseLong(p.getProposalId().substring("proposal-".length()))).toList();
        assertEquals(seqs.stream().sorted((x, y) -> Long.compare(y, x)).distinct().toList(), seqs, "newest first, no repeats");
        assertEquals(rules.listProposals(ListProposalsRequest.newBuilder().setPageSize(500).build()).getProposalsCount(),
                all.size(), "pages of 2 cover what one page of 500 holds");
        assertEquals(List.of(c.getProposalId(), b.getProposalId(), a.getProposalId()),
                all.subList(0, 3).stream().map(RuleProposal::getProposalId).toList(), "these three are the newest");
        assertTrue(all.stream().allMatch(p -> p.getHistoryCount() == 0), "lists carry no history");

        ListProposalsResponse failed = rules.listProposals(ListProposalsRequest.newBuilder()
                .setState(ProposalState.PROPOSAL_STATE_VALIDATION_FAILED).setPageSize(500).build());
        assertTrue(failed.getProposalsList().stream().allMatch(p -> p.getState() == ProposalState.PROPOSAL_STATE_VALIDATION_FAILED));
        assertTrue(failed.getProposalsList().stream().anyMatch(p -> p.getProposalId().equals(b.getProposalId())));
        ListProposalsResponse rejected = rules.listProposals(ListProposalsRequest.newBuilder()
                .setState(ProposalState.PROPOSAL_STATE_REJECTED).build());
        assertEquals(c.getProposalId(), rejected.getProposals(0).getProposalId());
        assertEquals(0, rules.listProposals(ListProposalsRequest.newBuilder()
                .setSource(ProposalSource.PROPOSAL_SOURCE_LLM).build()).getProposalsCount(), "no LLM proposals were made");
        assertEquals(all.size(), rules.listProposals(ListProposalsRequest.newBuilder()
                .setSource(ProposalSource.PROPOSAL_SOURCE_HUMAN).setPageSize(500).build()).getProposalsCount());
    }

    @Test
    void rejectingEndsAProposalOnceAndKeepsWhoAndWhyAndPostsIt() throws Exception {
        RuleProposal p = submit("features.atr_14 < 3.0 && agreement > 0.55");
        RuleProposal rejected = reject(p.getProposalId());
        assertEquals(ProposalState.PROPOSAL_STATE_REJECTED, rejected.getState());
        assertEquals("rejected by bo: not convinced", rejected.getStateReason());
        assertTrue(rejected.getUpdatedTsMicros() >= p.getUpdatedTsMicros());
        RuleProposal read = get(p.getProposalId());
        assertEquals(List.of(ProposalState.PROPOSAL_STATE_VALIDATED, ProposalState.PROPOSAL_STATE_REJECTED),
                read.getHistoryList().stream().map(ProposalEvent::getState).toList());
        assertEquals("bo", read.getHistory(1).getAuthor());
        assertEquals("not convinced", read.getHistory(1).getReason());
        String posted = WebhookReceiverResource.awaitBody(p.getProposalId() + " ");
        assertEquals(WebhookAlerts.json(java.util.Map.of(
                "text", "*rule-service: proposal " + p.getProposalId() + " rejected*\nproposal " + p.getProposalId()
                        + " (rule " + p.getRule().getRuleId()
                        + ": features.atr_14 < 3.0 && agreement > 0.55, by ana) was rejected by bo: not convinced",
                "event", "rule_proposal",
                "service", "rule-service",
                "key", "proposal " + p.getProposalId() + " rejected")), posted);

        refused(Status.Code.FAILED_PRECONDITION, "proposal_id", () -> reject(p.getProposalId()));
        RuleProposal failed = submit("outcome > 0.0");
        refused(Status.Code.FAILED_PRECONDITION, "proposal_id", () -> reject(failed.getProposalId()));
        assertEquals(ProposalState.PROPOSAL_STATE_VALIDATION_FAILED, get(failed.getProposalId()).getState(), "unchanged");
    }

    @Test
    void aProposalMayReplaceALiveRuleByIdButNotReuseItsIdSilently() {
        RuleSet live = DecisionServiceGrpc.newBlockingStub(ServicesResource.decisions.channel)
                .getRuleSet(GetRuleSetRequest.getDefaultInstance());
        String liveId = live.getRules(0).getRuleId();
        SubmitProposalRequest.Builder replacing = submission("features.efficiency_ratio_14 > 0.5 && volatility < 0.04");
        replacing.getRuleBuilder().setRuleId(liveId);
        refused(Status.Code.INVALID_ARGUMENT, "rule.rule_id", () -> rules.submitProposal(replacing.build()));
        RuleProposal p = rules.submitProposal(replacing.setReplacesRuleId(liveId).build());
        assertEquals(ProposalState.PROPOSAL_STATE_VALIDATED, p.getState(), p::toString);
        assertEquals(liveId, p.getReplacesRuleId());
        refused(Status.Code.INVALID_ARGUMENT, "replaces_rule_id", () -> rules.submitProposal(
                submission("agreement > 0.9").setReplacesRuleId("no_such_rule").build()));
    }

    @Test
    void everyRefusalNamesItsFieldAndStoresNothing() {
        int before = rules.listProposals(ListProposalsRequest.newBuilder().setPageSize(500).build()).getProposalsCount();
        SubmitProposalRequest good = submission("agreement > 0.66").build();
        refused(Status.Code.INVALID_ARGUMENT, "rule", () -> rules.submitProposal(good.toBuilder().clearRule().build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.rule_id", () -> rules.submitProposal(good.toBuilder()
                .setRule(good.getRule().toBuilder().setRuleId("Bad Id")).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.kind", () -> rules.submitProposal(good.toBuilder()
                .setRule(good.getRule().toBuilder().setKindValue(9)).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.expression", () -> rules.submitProposal(good.toBuilder()
                .setRule(good.getRule().toBuilder().setExpression(" ")).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.expression", () -> rules.submitProposal(good.toBuilder()
                .setRule(good.getRule().toBuilder().setExpression("agreement > 0.5\u0000")).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.description", () -> rules.submitProposal(good.toBuilder()
                .setRule(good.getRule().toBuilder().setDescription("d".repeat(501))).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.description", () -> rules.submitProposal(good.toBuilder()
                .setRule(good.getRule().toBuilder().setDescription("bell\u0007")).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rationale", () -> rules.submitProposal(good.toBuilder().setRationale("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "rationale", () -> rules.submitProposal(good.toBuilder()
                .setRationale("r".repeat(4001)).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rationale", () -> rules.submitProposal(good.toBuilder()
                .setRationale("nul\u0000").build()));
        refused(Status.Code.INVALID_ARGUMENT, "author", () -> rules.submitProposal(good.toBuilder().setAuthor(" ").build()));
        refused(Status.Code.INVALID_ARGUMENT, "author", () -> rules.submitProposal(good.toBuilder()
                .setAuthor("a".repeat(129)).build()));
        refused(Status.Code.INVALID_ARGUMENT, "replaces_rule_id", () -> rules.submitProposal(good.toBuilder()
                .setReplacesRuleId("Not An Id").build()));
        assertEquals(before, rules.listProposals(ListProposalsRequest.newBuilder().setPageSize(500).build()).getProposalsCount(),
                "nothing refused was stored");

        refused(Status.Code.INVALID_ARGUMENT, "proposal_id", () -> get(""));
        refused(Status.Code.INVALID_ARGUMENT, "proposal_id", () -> get("p\u0000"));
        refused(Status.Code.INVALID_ARGUMENT, "proposal_id", () -> get("p".repeat(65)));
        refused(Status.Code.NOT_FOUND, "proposal_id", () -> get("proposal-999999999"));

        refused(Status.Code.INVALID_ARGUMENT, "state", () -> rules.listProposals(ListProposalsRequest.newBuilder()
                .setStateValue(42).build()));
        refused(Status.Code.INVALID_ARGUMENT, "source", () -> rules.listProposals(ListProposalsRequest.newBuilder()
                .setSourceValue(42).build()));
        refused(Status.Code.INVALID_ARGUMENT, "page_size", () -> rules.listProposals(ListProposalsRequest.newBuilder()
                .setPageSize(-1).build()));
        refused(Status.Code.INVALID_ARGUMENT, "page_token", () -> rules.listProposals(ListProposalsRequest.newBuilder()
                .setPageToken("garbage!").build()));
        refused(Status.Code.INVALID_ARGUMENT, "page_token", () -> rules.listProposals(ListProposalsRequest.newBuilder()
                .setPageToken(PageTokens.next("reports", "1:x")).build()));
        refused(Status.Code.INVALID_ARGUMENT, "page_token", () -> rules.listProposals(ListProposalsRequest.newBuilder()
                .setPageToken(PageTokens.next("proposals", "not-a-number")).build()));

        RuleProposal p = submit("features.sma_5 > features.sma_50 && probability < 0.45");
        RejectProposalRequest reject = RejectProposalRequest.newBuilder().setProposalId(p.getProposalId())
                .setAuthor("bo").setReason("why not").build();
        refused(Status.Code.INVALID_ARGUMENT, "proposal_id", () -> rules.rejectProposal(reject.toBuilder().setProposalId("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "author", () -> rules.rejectProposal(reject.toBuilder().setAuthor("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "author", () -> rules.rejectProposal(reject.toBuilder().setAuthor("x\u001b").build()));
        refused(Status.Code.INVALID_ARGUMENT, "reason", () -> rules.rejectProposal(reject.toBuilder().setReason("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "reason", () -> rules.rejectProposal(reject.toBuilder()
                .setReason("r".repeat(2001)).build()));
        refused(Status.Code.NOT_FOUND, "proposal_id", () -> rules.rejectProposal(reject.toBuilder()
                .setProposalId("proposal-999999999").build()));
        assertEquals(ProposalState.PROPOSAL_STATE_VALIDATED, get(p.getProposalId()).getState(), "no refused reject changed it");
    }
}
