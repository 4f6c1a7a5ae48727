package dev.arbiter.rules.proposal;

import static dev.arbiter.service.ObservationTimes.nowMicros;
import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.proto.v1.ListProposalsRequest;
import dev.arbiter.proto.v1.ListProposalsResponse;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.RejectProposalRequest;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleValidation;
import dev.arbiter.proto.v1.ValidationStage;
import dev.arbiter.proto.v1.ValidationStep;
import dev.arbiter.proto.v1.SubmitProposalRequest;
import dev.arbiter.rules.backtest.OfflineSearch;
import dev.arbiter.rules.backtest.ProposalBacktests;
import dev.arbiter.rules.config.RulesConfig;
import dev.arbiter.rules.llm.ProposalAnswer;
import dev.arbiter.rules.validation.RuleValidator;
import dev.arbiter.service.Identifiers;
import dev.arbiter.service.PageTokens;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The life of a proposal up to its backtest: a rule is submitted (or answered by the LLM, or found by the offline
 * search), validated (every step of {@link RuleValidator}, near-duplicates looked for among the live rules and the
 * earlier proposals) and stored as VALIDATED or VALIDATION_FAILED, then queued for its backtest
 * ({@link ProposalBacktests}); it can be read, listed and rejected. Shadow runs, promotion and rollback are
 * {@link ShadowPromotions}'.
 */
@ApplicationScoped
public class Proposals {

    private static final Logger LOG = Logger.getLogger(Proposals.class);
    static final int MAX_AUTHOR = 128;
    static final int MAX_RATIONALE = 4000;
    static final int MAX_REASON = 2000;
    private static final int MAX_PROPOSAL_ID = 64;
    private static final String PAGE_KIND = "proposals";

    /** States a proposal may be rejected from: every state before PROMOTED that is not terminal. */
    private static final Set<ProposalState> REJECTABLE = EnumSet.of(ProposalState.PROPOSAL_STATE_PROPOSED,
            ProposalState.PROPOSAL_STATE_VALIDATED, ProposalState.PROPOSAL_STATE_BACKTESTED, ProposalState.PROPOSAL_STATE_SHADOW);

    private final ProposalStore store;
    private final RuleValidator validator;
    private final RulesConfig config;
    private final ProposalAlerts alerts;
    private final ProposalBacktests backtests;
    private final ShadowPromotions shadows;

    public Proposals(ProposalStore store, RuleValidator validator, RulesConfig config, ProposalAlerts alerts,
                     ProposalBacktests backtests, ShadowPromotions shadows) {
        this.shadows = shadows;
        this.store = store;
        this.validator = validator;
        this.config = config;
        this.alerts = alerts;
        this.backtests = backtests;
    }

    /** Validates and stores a rule a person wrote. */
    public RuleProposal submit(SubmitProposalRequest request) {
        validator.requireWellFormed(request.getRule(), request.hasRule());
        Rule rule = request.getRule();
        if (request.getRationale().isBlank()) {
            throw invalid("rationale", "rationale is missing; say in a sentence or two why the rule should help "
                    + "(it is kept with the proposal for its reviewers)");
        }
        Identifiers.requireText("rationale", request.getRationale(), MAX_RATIONALE);
        String author = requireAuthor(request.getAuthor(), "who proposes the rule");
        RuleValidator.LiveRules live = validator.liveRules();
        if (!request.getReplacesRuleId().isEmpty()) {
            if (!RuleValidator.RULE_ID.matcher(request.getReplacesRuleId()).matches()) {
                throw invalid("replaces_rule_id", "replaces_rule_id must be the id of a live rule (1-64 lowercase letters, "
                        + "digits or '_'), or empty to add the rule");
            }
            if (live.unavailable() != null) {
                throw new RequestRefused(Status.Code.UNAVAILABLE, "replaces_rule_id", "the rule to replace cannot be "
                        + "checked: " + live.unavailable() + "; retry when decision-service answers");
            }
            if (!live.ruleIds().contains(request.getReplacesRuleId())) {
                throw invalid("replaces_rule_id", "replaces_rule_id \"" + request.getReplacesRuleId() + "\" is not a rule of "
                        + "the live rule set " + live.version() + " (its rules: " + String.join(", ", live.ruleIds())
                        + "); name one of them, or leave it empty to add the rule");
            }
        } else if (live.ruleIds().contains(rule.getRuleId())) {
            throw invalid("rule.rule_id", "rule.rule_id \"" + rule.getRuleId() + "\" is already a rule of the live rule set "
                    + live.version() + "; set replaces_rule_id to \"" + rule.getRuleId() + "\" to replace it, or choose "
                    + "another id to add a rule");
        }
        RuleProposal stored = validateAndStore(RuleProposal.newBuilder()
                .setRule(rule)
                .setRationale(request.getRationale())
                .setSource(ProposalSource.PROPOSAL_SOURCE_HUMAN)
                .setReplacesRuleId(request.getReplacesRuleId())
                .setBaseRuleSetVersion(live.version())
                .setAuthor(author), author, "submitted");
        return stored;
    }

    /**
     * Stores one LLM answer as a proposal (source LLM, author the model): parsed strictly ({@link ProposalAnswer}),
     * then validated. An answer that does not parse, or is of another kind than asked, is stored VALIDATION_FAILED with
     * the reason; the raw answer is kept either way. A name that is a live rule's id proposes to replace that rule.
     */
    public RuleProposal storeAnswer(String answer, RuleKind asked, RuleValidator.LiveRules live, String model,
                                    String askedBy) {
        RuleProposal.Builder p = RuleProposal.newBuilder()
                .setSource(ProposalSource.PROPOSAL_SOURCE_LLM)
                .setAuthor(model)
                .setRawAnswer(answer.length() > ProposalAnswer.MAX_ANSWER_CHARS
                        ? answer.substring(0, ProposalAnswer.MAX_ANSWER_CHARS) : answer)
                .setBaseRuleSetVersion(live.version());
        ProposalAnswer.Parsed parsed = ProposalAnswer.parse(answer);
        String refusal = parsed.refusal();
        if (parsed.accepted()) {
            ProposalAnswer.Proposal a = parsed.proposal();
            RuleKind kind = a.kind() == dev.arbiter.engine.rules.RuleKind.GATE ? RuleKind.RULE_KIND_GATE : RuleKind.RULE_KIND_SIZING;
            p.setRule(Rule.newBuilder().setRuleId(a.name()).setKind(kind).setExpression(a.expression()))
                    .setRationale(a.rationale());
            if (live.ruleIds().contains(a.name())) {
                p.setReplacesRuleId(a.name());
            }
            if (asked != RuleKind.RULE_KIND_UNSPECIFIED && asked != kind) {
                refusal = "a " + asked.name().substring("RULE_KIND_".length()) + " rule was asked for; the answer is "
                        + kind.name().substring("RULE_KIND_".length());
            }
        }
        if (refusal == null) {
            return validateAndStore(p, askedBy, "proposed by " + model);
        }
        String reason = "the LLM's answer was refused: " + refusal;
        long now = nowMicros();
        RuleProposal failed = p.setState(ProposalState.PROPOSAL_STATE_VALIDATION_FAILED)
                .setStateReason(reason)
                .setValidation(RuleValidation.newBuilder().setValid(false)
                        .setFailedStage(ValidationStage.VALIDATION_STAGE_PARSE).setMessage(reason)
                        .addSteps(ValidationStep.newBuilder().setStage(ValidationStage.VALIDATION_STAGE_PARSE)
                                .setPassed(false).setDetail(reason)))
                .setCreatedTsMicros(now)
                .setUpdatedTsMicros(now)
                .build();
        try {
            RuleProposal stored = store.insert(0, earlier -> failed, askedBy, "proposed by " + model);
            LOG.infof("proposal %s (VALIDATION_FAILED, by %s): %s", stored.getProposalId(), model, Identifiers.escaped(reason));
            return stored;
        } catch (SQLException e) {
            throw storeUnavailable(e);
        }
    }

    /** Stores a rule the offline search found (source LOCAL_SEARCH, author "local-search"), validated as any other. */
    public RuleProposal storeOffline(OfflineSearch.Candidate candidate, RuleValidator.LiveRules live, String askedBy) {
        return validateAndStore(RuleProposal.newBuilder()
                .setRule(candidate.rule())
                .setRationale(candidate.rationale())
                .setSource(ProposalSource.PROPOSAL_SOURCE_LOCAL_SEARCH)
                .setReplacesRuleId(live.ruleIds().contains(candidate.rule().getRuleId()) ? candidate.rule().getRuleId() : "")
                .setBaseRuleSetVersion(live.version())
                .setAuthor(LOCAL_SEARCH), askedBy, "found by the offline search");
    }

    /** How many proposals the offline search made so far (its rounds go round the templates). */
    public long offlineProposals() {
        try {
            return store.count(ProposalSource.PROPOSAL_SOURCE_LOCAL_SEARCH);
        } catch (SQLException e) {
            throw storeUnavailable(e);
        }
    }

    /**
     * The rule set a proposal makes: the live rules with the proposal's rule in place of the rule it replaces (the
     * rule of the same id when it names none), or added at the end.
     */
    public static List<Rule> candidateRules(List<Rule> live, RuleProposal p) {
        List<Rule> candidate = new ArrayList<>();
        String replaced = p.getReplacesRuleId().isEmpty() ? p.getRule().getRuleId() : p.getReplacesRuleId();
        boolean placed = false;
        for (Rule r : live) {
            if (r.getRuleId().equals(replaced)) {
                candidate.add(p.getRule());
                placed = true;
            } else {
                candidate.add(r);
            }
        }
        if (!placed) {
            candidate.add(p.getRule());
        }
        return candidate;
    }

    /** The author of the offline search's proposals. */
    public static final String LOCAL_SEARCH = "local-search";

    /** Validates the proposal's rule against the live rules and the earlier proposals, and stores it with the result. */
    private RuleProposal validateAndStore(RuleProposal.Builder proposal, String eventAuthor, String eventReason) {
        // fetched before the insert lock is taken, so that a slow feature-service does not hold every other insert
        validator.environment();
        long now = nowMicros();
        try {
            RuleProposal stored = store.insert(config.proposals().duplicateLookback(), earlier -> {
                RuleValidation validation = validator.validate(proposal.getRule(), true, earlier);
                return proposal.clone()
                        .setState(validation.getValid() ? ProposalState.PROPOSAL_STATE_VALIDATED
                                : ProposalState.PROPOSAL_STATE_VALIDATION_FAILED)
                        .setStateReason(!validation.getValid() ? validation.getMessage() : backtests.configured()
                                ? "passed every validation step; its backtest is queued" : NO_BACKTEST)
                        .setValidation(validation)
                        .setCreatedTsMicros(now)
                        .setUpdatedTsMicros(now)
                        .build();
            }, eventAuthor, eventReason);
            LOG.infof("proposal %s (%s, by %s): %s", stored.getProposalId(), ProposalStore.name(stored.getState()),
                    Identifiers.escaped(stored.getAuthor()), Identifiers.escaped(stored.getStateReason()));
            if (stored.getState() == ProposalState.PROPOSAL_STATE_VALIDATED) {
                backtests.enqueue(stored.getProposalId());
            }
            return stored;
        } catch (SQLException e) {
            throw storeUnavailable(e);
        }
    }

    /** Why a valid proposal waits when no backtest is configured. */
    static final String NO_BACKTEST = "passed every validation step; waiting for a backtest: none runs until "
            + "arbiter.rules.backtest.series names a series of optimizer-service's history";

    /** One proposal with its history. */
    public RuleProposal get(String proposalId) {
        requireProposalId(proposalId);
        try {
            RuleProposal p = store.find(proposalId).orElseThrow(() -> unknown(proposalId));
            return p.toBuilder().addAllHistory(store.history(proposalId)).build();
        } catch (SQLException e) {
            throw storeUnavailable(e);
        }
    }

    /** A page of proposals, newest first. */
    public ListProposalsResponse list(ListProposalsRequest request) {
        if (request.getState() == ProposalState.UNRECOGNIZED) {
            throw invalid("state", "state is the unknown value " + request.getStateValue() + "; send a PROPOSAL_STATE_* "
                    + "value, or leave it unset for every state");
        }
        if (request.getSource() == ProposalSource.UNRECOGNIZED) {
            throw invalid("source", "source is the unknown value " + request.getSourceValue() + "; send PROPOSAL_SOURCE_LLM, "
                    + "PROPOSAL_SOURCE_LOCAL_SEARCH or PROPOSAL_SOURCE_HUMAN, or leave it unset for every source");
        }
        int size = PageTokens.size(request.getPageSize(), config.paging().defaultPageSize(), config.paging().maxPageSize());
        long before = PageTokens.afterNumber(request.getPageToken(), PAGE_KIND, Long.MAX_VALUE);
        try {
            List<ProposalStore.Row> rows = store.list(request.getState(), request.getSource(), before, size + 1);
            ListProposalsResponse.Builder out = ListProposalsResponse.newBuilder();
            rows.stream().limit(size).forEach(r -> out.addProposals(r.proposal()));
            if (rows.size() > size) {
                out.setNextPageToken(PageTokens.next(PAGE_KIND, Long.toString(rows.get(size - 1).seq())));
            }
            return out.build();
        } catch (SQLException e) {
            throw storeUnavailable(e);
        }
    }

    /** Rejects a proposal that is not yet promoted and not already ended. */
    public RuleProposal reject(RejectProposalRequest request) {
        requireProposalId(request.getProposalId());
        String author = requireAuthor(request.getAuthor(), "who rejects the proposal");
        String reason = requireReason(request.getReason(), "why it is rejected");
        long now = nowMicros();
        try {
            RuleProposal rejected = store.transition(request.getProposalId(), REJECTABLE, p -> p.toBuilder()
                            .setState(ProposalState.PROPOSAL_STATE_REJECTED)
                            .setStateReason("rejected by " + author + ": " + reason)
                            .setUpdatedTsMicros(now)
                            .build(), author, reason)
                    .orElseThrow(() -> unknown(request.getProposalId()));
            LOG.infof("proposal %s rejected by %s", rejected.getProposalId(), Identifiers.escaped(author));
            shadows.stopRejected(rejected, author, reason);
            alerts.rejected(rejected, author, reason);
            return rejected;
        } catch (ProposalStore.WrongState e) {
            RuleProposal current = e.current();
            throw RequestRefused.precondition("proposal_id", "proposal " + current.getProposalId() + " is "
                    + ProposalStore.name(current.getState()) + (current.getStateReason().isEmpty() ? ""
                    : " (" + current.getStateReason() + ")") + "; only PROPOSED, VALIDATED, BACKTESTED and SHADOW "
                    + "proposals can be rejected" + (current.getState() == ProposalState.PROPOSAL_STATE_PROMOTED
                    ? ": roll a promoted one back with RollbackProposal" : ""));
        } catch (SQLException e) {
            throw storeUnavailable(e);
        }
    }

    static void requireProposalId(String proposalId) {
        Identifiers.requireIdentifier("proposal_id", proposalId, MAX_PROPOSAL_ID,
                "the proposal, e.g. \"proposal-12\" as SubmitProposal, ProposeRules or ListProposals answered");
    }

    static String requireAuthor(String author, String what) {
        if (author.isBlank()) {
            throw invalid("author", "author is missing; say " + what + " (a person or a program)");
        }
        return Identifiers.requireText("author", author, MAX_AUTHOR);
    }

    static String requireReason(String reason, String what) {
        if (reason.isBlank()) {
            throw invalid("reason", "reason is missing; say " + what + " (kept in the proposal's history)");
        }
        return Identifiers.requireText("reason", reason, MAX_REASON);
    }

    static RequestRefused unknown(String proposalId) {
        return RequestRefused.notFound("proposal_id", "no proposal \"" + proposalId + "\"; ListProposals lists them");
    }

    static RequestRefused storeUnavailable(SQLException e) {
        LOG.warnf("proposal store: %s (SQLSTATE %s)", e.getMessage(), e.getSQLState());
        return new RequestRefused(Status.Code.UNAVAILABLE, "", "rule-service's proposal store (PostgreSQL) did not "
                + "answer; nothing was changed, retry");
    }
}
