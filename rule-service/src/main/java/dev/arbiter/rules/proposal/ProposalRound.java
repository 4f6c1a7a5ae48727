package dev.arbiter.rules.proposal;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.proto.v1.GateStatistics;
import dev.arbiter.proto.v1.GetPerformanceResponse;
import dev.arbiter.proto.v1.PerformanceSummary;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposeRulesRequest;
import dev.arbiter.proto.v1.ProposeRulesResponse;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleEnvironment;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.VariantPerformance;
import dev.arbiter.rules.backtest.OfflineSearch;
import dev.arbiter.rules.config.RulesConfig;
import dev.arbiter.rules.llm.LlmClient;
import dev.arbiter.rules.llm.RulePrompt;
import dev.arbiter.rules.validation.RuleValidator;
import dev.arbiter.service.Identifiers;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * One ProposeRules round: the performance summary (the request's, or decision-service's live performance), the
 * environment and the live rules go into a prompt; each proposal is one call to the LLM, its answer stored as a
 * proposal (parsed strictly, then validated). When the LLM cannot be used the round stops and answers degraded with
 * what it made so far; when it made nothing, {@link OfflineSearch} proposes instead (gates only).
 */
@ApplicationScoped
public class ProposalRound {

    private static final Logger LOG = Logger.getLogger(ProposalRound.class);
    static final int MAX_GUIDANCE = 2000;
    static final int MAX_NOTES = 4000;
    static final int MAX_GATES = 200;
    static final int MAX_REGIMES = 12;
    static final int MAX_DECILES = 500;

    private final LlmClient llm;
    private final OfflineSearch offline;
    private final Proposals proposals;
    private final RuleValidator validator;
    private final RulesConfig config;

    public ProposalRound(LlmClient llm, OfflineSearch offline, Proposals proposals, RuleValidator validator,
                         RulesConfig config) {
        this.llm = llm;
        this.offline = offline;
        this.proposals = proposals;
        this.validator = validator;
        this.config = config;
    }

    public ProposeRulesResponse propose(ProposeRulesRequest request) {
        int max = config.llm().maxProposals();
        if (request.getMaxProposals() > max) {
            throw invalid("max_proposals", "max_proposals is " + request.getMaxProposals() + "; ask for 1-" + max
                    + " (each is one call to the LLM), or 0 for the default (" + config.llm().defaultProposals() + ")");
        }
        int wanted = request.getMaxProposals() == 0 ? config.llm().defaultProposals() : request.getMaxProposals();
        if (request.getKind() == RuleKind.UNRECOGNIZED) {
            throw invalid("kind", "kind is the unknown value " + request.getKindValue() + "; send RULE_KIND_GATE, "
                    + "RULE_KIND_SIZING, or leave it unset for either");
        }
        Identifiers.requireText("guidance", request.getGuidance(), MAX_GUIDANCE);
        if (request.getAuthor().isBlank()) {
            throw invalid("author", "author is missing; say who asks for proposals (a person or a program)");
        }
        String author = Identifiers.requireText("author", request.getAuthor(), Proposals.MAX_AUTHOR);
        PerformanceSummary summary = request.hasSummary() ? checked(request.getSummary()) : livePerformance();
        RuleEnvironment env = validator.environment();
        RuleValidator.LiveRules live = validator.liveRules();

        ProposeRulesResponse.Builder out = ProposeRulesResponse.newBuilder().setSummary(summary);
        String system = RulePrompt.system(env, config.limits());
        List<Rule> made = new ArrayList<>();
        String degraded = null;
        for (int i = 0; i < wanted; i++) {
            LlmClient.Answer answer;
            try {
                answer = llm.ask(system, RulePrompt.user(summary, live.rules(), request.getKind(), request.getGuidance(), made));
            } catch (LlmClient.Unavailable e) {
                degraded = e.getMessage();
                break;
            }
            RuleProposal p = proposals.storeAnswer(answer.text(), request.getKind(), live, llm.model(), author);
            out.addProposals(p);
            if (p.hasRule()) {
                made.add(p.getRule());
            }
        }
        if (degraded == null) {
            return out.setSource(ProposalSource.PROPOSAL_SOURCE_LLM).build();
        }
        LOG.infof("proposal round for %s degraded after %d of %d proposals: %s", Identifiers.escaped(author),
                out.getProposalsCount(), wanted, degraded);
        out.setDegraded(true);
        if (out.getProposalsCount() > 0) {
            return out.setSource(ProposalSource.PROPOSAL_SOURCE_LLM).setDegradedReason(degraded + "; "
                    + out.getProposalsCount() + " of " + wanted + " proposals were made before it").build();
        }
        out.setSource(ProposalSource.PROPOSAL_SOURCE_LOCAL_SEARCH);
        if (request.getKind() == RuleKind.RULE_KIND_SIZING) {
            return out.setDegradedReason(degraded + "; the offline search proposes gates only, so no proposals were made")
                    .build();
        }
        try {
            for (OfflineSearch.Candidate c : offline.search(wanted, (int) (proposals.offlineProposals()
                    % OfflineSearch.templates()), live.rules())) {
                out.addProposals(proposals.storeOffline(c, live, author));
            }
            if (out.getProposalsCount() == 0) {
                return out.setDegradedReason(degraded + "; the offline search tuned every rule template on the tuning "
                        + "window and none changed an action there, so no proposals were made").build();
            }
            if (out.getProposalsCount() < wanted) {
                return out.setDegradedReason(degraded + "; the proposals come from the offline search (" + out.getProposalsCount()
                        + " of " + wanted + ": the other rule templates changed no action on the tuning window)").build();
            }
            return out.setDegradedReason(degraded + "; the proposals come from the offline search").build();
        } catch (OfflineSearch.Unavailable e) {
            return out.setDegradedReason(degraded + "; " + e.getMessage() + ", so no proposals were made").build();
        }
    }

    private static PerformanceSummary checked(PerformanceSummary s) {
        Identifiers.requireText("summary.notes", s.getNotes(), MAX_NOTES);
        Identifiers.requireText("summary.variant_name", s.getVariantName(), 64);
        if (s.getGatesCount() > MAX_GATES) {
            throw invalid("summary.gates", "summary.gates has " + s.getGatesCount() + " gates; send at most " + MAX_GATES);
        }
        for (int i = 0; i < s.getGatesCount(); i++) {
            GateStatistics g = s.getGates(i);
            Identifiers.requireText("summary.gates[" + i + "].gate_name", g.getGateName(), 64);
        }
        if (s.getRegimesCount() > MAX_REGIMES) {
            throw invalid("summary.regimes", "summary.regimes has " + s.getRegimesCount() + " regimes; send at most " + MAX_REGIMES);
        }
        for (int i = 0; i < s.getRegimesCount(); i++) {
            Identifiers.requireText("summary.regimes[" + i + "].regime", s.getRegimes(i).getRegime(), 64);
            Identifiers.requireText("summary.regimes[" + i + "].definition", s.getRegimes(i).getDefinition(), 200);
        }
        if (s.getFeatureDecilesCount() > MAX_DECILES) {
            throw invalid("summary.feature_deciles", "summary.feature_deciles has " + s.getFeatureDecilesCount()
                    + " entries; send at most " + MAX_DECILES);
        }
        for (int i = 0; i < s.getFeatureDecilesCount(); i++) {
            Identifiers.requireText("summary.feature_deciles[" + i + "].feature", s.getFeatureDeciles(i).getFeature(), 64);
        }
        return s;
    }

    /** decision-service's performance of the live policy over its rolling window, with its breakdown. */
    private PerformanceSummary livePerformance() {
        GetPerformanceResponse r = validator.livePerformance();
        if (r == null) {
            throw new RequestRefused(Status.Code.UNAVAILABLE, "summary", "decision-service did not answer for the live "
                    + "performance; send a summary, or retry");
        }
        PerformanceSummary.Builder b = PerformanceSummary.newBuilder().setRange(r.getRange()).setVariantName("live");
        for (VariantPerformance v : r.getVariantsList()) {
            if (v.getVariantName().equals("live")) {
                b.setRuleSetVersion(v.getRuleSetVersion()).setParameterSetVersion(v.getParameterSetVersion())
                        .setMetrics(v.getMetrics()).addAllGates(v.getGatesList())
                        .addAllRegimes(v.getRegimesList()).addAllFeatureDeciles(v.getFeatureDecilesList());
                if (v.getPendingOutcomes() > 0 || v.getDegradedDecisions() > 0) {
                    b.setNotes(v.getPendingOutcomes() + " acted decisions still wait for an outcome; "
                            + v.getDegradedDecisions() + " decisions were made degraded.");
                }
            }
        }
        return b.build();
    }
}
