package dev.arbiter.cli.rules;

import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.BacktestComparison;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.PromotionGuard;
import dev.arbiter.proto.v1.ShadowResult;
import dev.arbiter.proto.v1.ProposalEvent;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleValidation;
import dev.arbiter.proto.v1.ValidationStage;
import dev.arbiter.proto.v1.ValidationStep;
import java.io.PrintWriter;
import java.util.Locale;

/** How the rules commands print proposals and validations. */
final class ProposalPrinter {

    private ProposalPrinter() {}

    static void proposal(PrintWriter out, RuleProposal p) {
        out.printf("%s  %s  (%s, by %s, %s)%n", p.getProposalId(), state(p.getState()), source(p.getSource()), p.getAuthor(),
                Fmt.moment(p.getCreatedTsMicros()));
        out.printf("rule       %s (%s)%s: %s%n", p.getRule().getRuleId(), kind(p.getRule().getKind()),
                p.getReplacesRuleId().isEmpty() ? "" : " replacing " + p.getReplacesRuleId(), p.getRule().getExpression());
        out.printf("rationale  %s%n", p.getRationale());
        out.printf("against    live rule set %s%n", p.getBaseRuleSetVersion() == 0 ? "unknown (decision-service did not answer)"
                : "v" + p.getBaseRuleSetVersion());
        if (!p.getStateReason().isEmpty()) {
            out.printf("why        %s%n", p.getStateReason());
        }
        if (p.hasValidation()) {
            out.println();
            validation(out, p.getValidation());
        }
        if (p.hasBacktest()) {
            BacktestComparison b = p.getBacktest();
            out.println();
            out.printf("backtest   %s (report %s, %s)%n", b.getBetter() ? "BETTER than the live rules" : "not better than the live rules",
                    b.getBacktestReportId(), b.getWindow());
            Table m = new Table().left("rules").right("decisions").right("actions").right("false positives").right("precision")
                    .right("pnl").right("sharpe");
            metrics(m, "live v" + b.getBaselineRuleSetVersion(), b.getBaseline());
            metrics(m, "with this rule", b.getCandidate());
            m.print(out);
            out.printf("verdict    %s%n", b.getVerdict());
        }
        if (p.hasShadow()) {
            ShadowResult sh = p.getShadow();
            out.println();
            out.printf("shadow     %s on decision-service rule set v%d, since %s: %d of %d settled decisions compared (%d logged)%n",
                    !sh.getComplete() ? "RUNNING" : sh.getBetter() ? "complete, BETTER" : "complete, not better",
                    sh.getRuleSetVersion(), Fmt.moment(sh.getStartedTsMicros()), sh.getDecisionsCompared(), sh.getMinDecisions(),
                    sh.getDecisionsLogged());
            Table m = new Table().left("rules").right("decisions").right("actions").right("false positives").right("precision")
                    .right("pnl").right("sharpe");
            metrics(m, "live", sh.getBaseline());
            metrics(m, "with this rule", sh.getCandidate());
            m.print(out);
            out.printf("sign test  better on %d, worse on %d, p = %s%n", sh.getCandidateBetter(), sh.getCandidateWorse(),
                    Fmt.num(sh.getPValue(), 4));
            out.printf("verdict    %s%n", sh.getVerdict());
        }
        if (p.hasGuard()) {
            PromotionGuard g = p.getGuard();
            out.println();
            out.printf("promoted   as rule set v%d on %s; guard until %s%s%n", p.getPromotedRuleSetVersion(),
                    Fmt.moment(g.getPromotedTsMicros()), Fmt.moment(g.getWindowEndsTsMicros()), g.getBreached() ? ", BREACHED" : "");
            out.printf("guard      %s%n", g.getStatus());
        }
        if (p.getHistoryCount() > 0) {
            out.println();
            Table h = new Table().left("when").left("state").left("by").left("reason");
            for (ProposalEvent e : p.getHistoryList()) {
                h.row(Fmt.moment(e.getTsMicros()), state(e.getState()), e.getAuthor(), shortened(e.getReason(), 100));
            }
            h.print(out);
        }
    }

    private static void metrics(Table t, String label, PerformanceMetrics m) {
        t.row(label, Fmt.count(m.getDecisionCount()), Fmt.count(m.getActionCount()), Fmt.count(m.getFalsePositiveActions()),
                Fmt.num(m.getPrecision(), 3), Fmt.num(m.getPnl(), 4), Fmt.num(m.getSharpe(), 4));
    }

    static void validation(PrintWriter out, RuleValidation v) {
        Table t = new Table().left("step").left("result").left("detail");
        for (ValidationStep s : v.getStepsList()) {
            t.row(stage(s.getStage()), s.getPassed() ? "passed" : "FAILED", s.getDetail());
        }
        t.print(out);
        out.println(v.getValid() ? "valid: " + v.getResultType() + ", cost bound " + v.getCostBound() + " of " + v.getCostLimit()
                : "not valid: fails " + stage(v.getFailedStage()));
    }

    static String state(ProposalState s) {
        return s.name().substring("PROPOSAL_STATE_".length());
    }

    static String source(ProposalSource s) {
        return s.name().substring("PROPOSAL_SOURCE_".length()).toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    static String kind(RuleKind k) {
        return k.name().substring("RULE_KIND_".length()).toLowerCase(Locale.ROOT);
    }

    static String stage(ValidationStage s) {
        return s.name().substring("VALIDATION_STAGE_".length()).toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    static String shortened(String s, int max) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
