package dev.arbiter.rules.llm;

import dev.arbiter.proto.v1.FeatureDecileStatistics;
import dev.arbiter.proto.v1.GateStatistics;
import dev.arbiter.proto.v1.ObservedRange;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.PerformanceSummary;
import dev.arbiter.proto.v1.RegimeStatistics;
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
        b.append("The rule may read only these variables (CEL types; observed: the range over recent live decisions, "
                + "min / 10th percentile / median / 90th percentile / max):\n");
        for (RuleVariable v : env.getVariablesList()) {
            b.append("- ").append(v.getName()).append(" (").append(v.getCelType()).append("): ").append(v.getDescription());
            if (v.hasObserved()) {
                b.append("; observed ").append(range(v.getObserved()));
            }
            b.append('\n');
        }
        if (env.getObservedFeaturesCount() > 0) {
            b.append("Observed feature values:\n");
            for (ObservedRange r : env.getObservedFeaturesList()) {
                b.append("- ").append(r.getName()).append(": ").append(range(r)).append('\n');
            }
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
        if (s.getRegimesCount() > 0) {
            b.append("Losing actions by market regime (regime: judged actions, losing, losing share):\n");
            for (RegimeStatistics r : s.getRegimesList()) {
                b.append("- ").append(r.getRegime()).append(" [").append(r.getDefinition()).append("]: ")
                        .append(r.getJudgedActions()).append(", ").append(r.getFalsePositiveActions()).append(", ")
                        .append(share(r.getFalsePositiveActions(), r.getJudgedActions())).append('\n');
            }
        }
        List<FeatureDecileStatistics> worst = worstDeciles(s.getFeatureDecilesList(), m);
        if (!worst.isEmpty()) {
            b.append("Feature deciles where actions lost most often (feature, decile [low, high): judged actions, losing, "
                    + "losing share; overall ").append(share(m.getFalsePositiveActions(), judged(m))).append("):\n");
            for (FeatureDecileStatistics d : worst) {
                b.append("- features.").append(d.getFeature()).append(", decile ").append(d.getDecile())
                        .append(String.format(Locale.ROOT, " [%.4g, %.4g): ", d.getLow(), d.getHigh()))
                        .append(d.getJudgedActions()).append(", ").append(d.getFalsePositiveActions()).append(", ")
                        .append(share(d.getFalsePositiveActions(), d.getJudgedActions())).append('\n');
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

    /** Deciles shown: at most this many, the highest losing shares among those with enough judged actions. */
    static final int WORST_DECILES = 8;

    /**
     * The deciles with the highest losing share, among those holding at least 5 judged actions and 2 % of all judged
     * ones (a decile of 3 actions that all lost says little), highest first.
     */
    static List<FeatureDecileStatistics> worstDeciles(List<FeatureDecileStatistics> deciles, PerformanceMetrics m) {
        long all = judged(m);
        long floor = Math.max(5, all / 50);
        return deciles.stream()
                .filter(d -> d.getJudgedActions() >= floor)
                .sorted(java.util.Comparator.comparingDouble((FeatureDecileStatistics d) ->
                        -(double) d.getFalsePositiveActions() / d.getJudgedActions()).thenComparing(FeatureDecileStatistics::getFeature)
                        .thenComparingInt(FeatureDecileStatistics::getDecile))
                .limit(WORST_DECILES)
                .toList();
    }

    /** Judged acted decisions: the false positives over one minus the precision (0 when none lost or none was judged). */
    private static long judged(PerformanceMetrics m) {
        return m.getPrecision() >= 1 || m.getFalsePositiveActions() == 0 ? m.getOutcomeCount()
                : Math.round(m.getFalsePositiveActions() / (1 - m.getPrecision()));
    }

    private static String share(long part, long whole) {
        return whole == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100.0 * part / whole);
    }

    private static String range(ObservedRange r) {
        return String.format(Locale.ROOT, "%.4g / %.4g / %.4g / %.4g / %.4g over %d decisions", r.getMin(), r.getP10(),
                r.getMedian(), r.getP90(), r.getMax(), r.getCount());
    }

    private static String kindName(RuleKind k) {
        return k == RuleKind.RULE_KIND_SIZING ? "sizing" : "gate";
    }
}
