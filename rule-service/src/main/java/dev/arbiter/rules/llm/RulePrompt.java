package dev.arbiter.rules.llm;

import dev.arbiter.proto.v1.GateStatistics;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.PerformanceSummary;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleEnvironment;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleVariable;
import dev.arbiter.rules.config.RulesConfig;
import java.util.List;
import java.util.Locale;

/**
 * The two messages of one "propose one rule" call. The system message says what a rule is, what it may read, the
 * bounds it must stay within and the exact answer format; the user message carries the performance summary, the live
 * rules, the proposals already made in this round and the operator's guidance. Nothing of a backtest's validation
 * window ever goes into either: the proposer sees live performance only.
 */
public final class RulePrompt {

    private RulePrompt() {}

    public static String system(RuleEnvironment env, RulesConfig.Limits limits) {
        StringBuilder b = new StringBuilder();
        b.append("You propose decision rules for Arbiter, which decides for each new observation of a noisy series whether "
                + "to act (LONG or SHORT) and how large, or to stay FLAT. Its lesson: do not predict the unpredictable; "
                + "recognise when conditions favour an outcome and stay out otherwise.\n\n");
        b.append("A rule is one CEL expression evaluated at decision time. A GATE rule is a bool: false blocks the action "
                + "(the decision becomes FLAT). A SIZING rule is a double multiplied into the size, clamped to [0, 1].\n\n");
        b.append("The rule may read only these variables (CEL types):\n");
        for (RuleVariable v : env.getVariablesList()) {
            b.append("- ").append(v.getName()).append(" (").append(v.getCelType()).append("): ").append(v.getDescription())
                    .append('\n');
        }
        b.append("\nBounds: at most ").append(limits.maxNodes()).append(" AST nodes, nesting depth ").append(limits.maxDepth())
                .append(", ").append(limits.maxConstants()).append(" constants, numbers within +/-")
                .append(String.format(Locale.ROOT, "%.0f", limits.maxMagnitude()))
                .append(". Only comparisons, && || !, arithmetic on numbers, the ternary ?:, `in`, size() and double(). No "
                        + "regular expressions, no string functions, no string or list building, no timestamps.\n");
        b.append("Never use information from after the decision (future prices, returns, outcomes, labels), and never "
                + "a date, a time or a named asset you remember: a rule must work on data it has never seen.\n");
        b.append("Prefer simple rules (one to three conditions) that target a cause of the losing actions described; a rule "
                + "that repeats a live rule with other constants is refused as a near-duplicate.\n\n");
        b.append("Answer with exactly one JSON object and nothing else, no markdown:\n"
                + "{\"kind\": \"GATE\" or \"SIZING\", \"name\": \"lowercase_id\", \"expression\": \"<CEL>\", "
                + "\"rationale\": \"<one to three sentences: which losses it targets and why>\"}\n"
                + "The name is 1-64 of [a-z0-9_]; to replace a live rule, use its name.\n");
        return b.toString();
    }

    public static String user(PerformanceSummary s, List<Rule> live, RuleKind kind, String guidance, List<Rule> earlier) {
        StringBuilder b = new StringBuilder();
        b.append("Performance of variant \"").append(s.getVariantName().isEmpty() ? "live" : s.getVariantName()).append('"');
        if (s.getRuleSetVersion() > 0) {
            b.append(" (rule set v").append(s.getRuleSetVersion()).append(", parameter set v").append(s.getParameterSetVersion())
                    .append(')');
        }
        b.append(":\n");
        PerformanceMetrics m = s.getMetrics();
        b.append(String.format(Locale.ROOT, "- %d decisions, %d actions, %d with an outcome; precision %.3f; false-positive "
                        + "(losing) actions %d; pnl %.4f; Sharpe per decision %.3f; max drawdown %.4f\n",
                m.getDecisionCount(), m.getActionCount(), m.getOutcomeCount(), m.getPrecision(), m.getFalsePositiveActions(),
                m.getPnl(), m.getSharpe(), m.getMaxDrawdown()));
        if (s.getGatesCount() > 0) {
            b.append("Gates (evaluations, blocked, blocked that would have lost, blocked that would have won):\n");
            for (GateStatistics g : s.getGatesList()) {
                b.append("- ").append(g.getGateName()).append(": ").append(g.getEvaluations()).append(", ").append(g.getBlocked())
                        .append(", ").append(g.getBlockedWouldLose()).append(", ").append(g.getBlockedWouldWin()).append('\n');
            }
        }
        if (!s.getNotes().isBlank()) {
            b.append("Notes: ").append(s.getNotes().strip()).append('\n');
        }
        b.append(live.isEmpty() ? "\nNo rules are live.\n" : "\nLive rules:\n");
        for (Rule r : live) {
            b.append("- ").append(r.getRuleId()).append(" (").append(kindName(r.getKind())).append("): ").append(r.getExpression())
                    .append('\n');
        }
        if (!earlier.isEmpty()) {
            b.append("\nAlready proposed in this round (propose something different):\n");
            for (Rule r : earlier) {
                b.append("- ").append(r.getRuleId()).append(": ").append(r.getExpression()).append('\n');
            }
        }
        if (!guidance.isBlank()) {
            b.append("\nGuidance from the operator: ").append(guidance.strip()).append('\n');
        }
        b.append("\nPropose one ").append(kind == RuleKind.RULE_KIND_UNSPECIFIED ? "GATE or SIZING" : kindName(kind).toUpperCase(Locale.ROOT))
                .append(" rule that should reduce losing actions without giving up many winning ones.");
        return b.toString();
    }

    private static String kindName(RuleKind k) {
        return k == RuleKind.RULE_KIND_SIZING ? "sizing" : "gate";
    }
}
