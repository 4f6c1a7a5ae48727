package dev.arbiter.cli.demo;

import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.proto.v1.BacktestComparison;
import dev.arbiter.proto.v1.GetProposalRequest;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.ProposeRulesRequest;
import dev.arbiter.proto.v1.ProposeRulesResponse;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleServiceGrpc;
import dev.arbiter.proto.v1.ValidationStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo's rule proposal round: rule-service proposes gate rules (the offline search, or the LLM when
 * ARBITER_LLM_BASE_URL is set for the demo), validates each, and backtests the valid ones on the demo's history
 * through optimizer-service; the round waits for those backtests and answers every proposal as it ended up.
 */
record RuleRound(ProposeRulesResponse response, List<RuleProposal> proposals) {

    /** Proposals asked for. */
    static final int PROPOSALS = 2;
    /** How long the backtests of the round's proposals may take together. */
    static final long BACKTEST_WAIT_MILLIS = TimeUnit.MINUTES.toMillis(5);

    static RuleRound run(Services s) {
        ProposeRulesResponse r = s.call(Service.RULES, () -> s.streaming(Service.RULES, RuleServiceGrpc::newBlockingStub)
                .proposeRules(ProposeRulesRequest.newBuilder().setMaxProposals(PROPOSALS).setKind(RuleKind.RULE_KIND_GATE)
                        .setAuthor("arbiter demo").setGuidance("Fewer losing actions, at nearly the same number of winning ones.")
                        .build()));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BACKTEST_WAIT_MILLIS);
        List<RuleProposal> out = new ArrayList<>();
        for (RuleProposal p : r.getProposalsList()) {
            RuleProposal now = p;
            // a VALIDATED proposal's backtest runs on rule-service's own thread; poll its state until it is done
            while (now.getState() == ProposalState.PROPOSAL_STATE_VALIDATED && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
                String id = now.getProposalId();
                now = s.call(Service.RULES, () -> s.unary(Service.RULES, RuleServiceGrpc::newBlockingStub)
                        .getProposal(GetProposalRequest.newBuilder().setProposalId(id).build()));
            }
            out.add(now);
        }
        return new RuleRound(r, List.copyOf(out));
    }

    /** Who proposed: "the offline search" or "the LLM". */
    String source() {
        return response.getSource() == ProposalSource.PROPOSAL_SOURCE_LLM ? "the LLM" : "the offline search";
    }

    /** Why the round did not go to the LLM (or ended early); empty when it went as asked. */
    String degradedReason() {
        return response.getDegraded() ? response.getDegradedReason() : "";
    }

    /** One line per proposal for the terminal. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (RuleProposal p : proposals) {
            lines.add(String.format(Locale.ROOT, "%s %s: %s -> %s%s", p.getProposalId(), p.getRule().getRuleId(),
                    p.getRule().getExpression(), state(p), p.hasBacktest() ? "; " + backtestLine(p.getBacktest()) : ""));
        }
        return lines;
    }

    static String state(RuleProposal p) {
        return p.getState().name().substring("PROPOSAL_STATE_".length());
    }

    static String backtestLine(BacktestComparison b) {
        PerformanceMetrics live = b.getBaseline();
        PerformanceMetrics with = b.getCandidate();
        return String.format(Locale.ROOT, "backtest false positives %s -> %s, actions %s -> %s, Sharpe %s -> %s, deflated Sharpe %s",
                Fmt.count(live.getFalsePositiveActions()), Fmt.count(with.getFalsePositiveActions()), Fmt.count(live.getActionCount()),
                Fmt.count(with.getActionCount()), Fmt.num(live.getSharpe(), 4), Fmt.num(with.getSharpe(), 4),
                Fmt.num(b.getDeflatedSharpe(), 3));
    }

    /** The validation steps as "PARSE passed, LEAKAGE passed, ..." */
    static String steps(RuleProposal p) {
        List<String> steps = new ArrayList<>();
        for (ValidationStep s : p.getValidation().getStepsList()) {
            steps.add(s.getStage().name().substring("VALIDATION_STAGE_".length()) + (s.getPassed() ? " passed" : " FAILED"));
        }
        return String.join(", ", steps);
    }
}
