package dev.arbiter.engine.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The checks a proposed rule passes before it may be backtested, each recorded as a {@link Step} with its result, in
 * this order (the first failure ends the list):
 *
 * <ol>
 *   <li>{@link Stage#PARSE}: CEL syntax.</li>
 *   <li>{@link Stage#LEAKAGE}: every variable it reads is known at decision time. The environment has no
 *       timestamp, series id, price level or outcome, so a rule cannot key on a date or an asset the proposer
 *       remembers from its training data; a name that reads like the future (next_return, outcome, label ...) is
 *       refused as look-ahead, with that reason, rather than as merely unknown.</li>
 *   <li>{@link Stage#TYPE_CHECK}: {@link RuleCompiler}'s type check, result type and known features.</li>
 *   <li>{@link Stage#COST}: only allow-listed functions (comparison, logic, arithmetic on numbers, indexing,
 *       {@code in}, {@code size}, {@code double}): no regular expressions, no string or list building;
 *       comprehensions only over {@code features} or a list literal, so their iterations are bounded; a static
 *       worst-case cost bound (a node costs 1, a comprehension's body costs its iterations times) within
 *       {@link Limits#costLimit}; and one trial evaluation with every feature present under a step budget counted
 *       by an evaluation listener, stopped as soon as the budget is spent.</li>
 *   <li>{@link Stage#COMPLEXITY}: AST nodes, nesting depth, number of constants, literal magnitudes and string
 *       lengths within {@link Limits}, so the rule stays readable.</li>
 *   <li>{@link Stage#DUPLICATE}: not a near-duplicate of a live rule or an earlier proposal: their canonical trees
 *       (commutative operands sorted, {@code a > b} written {@code b < a}, constants abstracted) have a Jaccard
 *       similarity of subtrees of at least {@link Limits#duplicateSimilarity} and their constants are pairwise
 *       within 5%.</li>
 * </ol>
 *
 * Thread-safe; one instance per feature schema.
 */
public final class ProposalChecks {

    /** A validation step, in the order they run. */
    public enum Stage { PARSE, LEAKAGE, TYPE_CHECK, COST, COMPLEXITY, DUPLICATE }

    /** One step's result: {@code detail} says what was measured, or why it failed and how to fix it. */
    public record Step(Stage stage, boolean passed, String detail) {}

    /**
     * Bounds a proposal must stay within.
     *
     * @param maxNodes            AST nodes (after macro expansion)
     * @param maxDepth            nesting depth of the AST
     * @param maxConstants        numeric and string literals
     * @param maxMagnitude        largest absolute numeric literal
     * @param maxStringLength     longest string literal (feature names)
     * @param costLimit           static worst-case cost bound
     * @param stepBudget          evaluation steps of the trial evaluation
     * @param duplicateSimilarity subtree Jaccard similarity from which a rule with close constants is a duplicate
     */
    public record Limits(int maxNodes, int maxDepth, int maxConstants, double maxMagnitude, int maxStringLength,
                         long costLimit, long stepBudget, double duplicateSimilarity) {

        /** The defaults: a rule a person reads at a glance. */
        public static Limits defaults() {
            return new Limits(60, 12, 8, 1e6, 64, 5_000, 5_000, 0.9);
        }
    }

    /** An earlier rule a proposal is compared with, named for the refusal ("live rule min_agreement"). */
    public record Known(String name, String expression) {}

    /**
     * All steps run (up to the first failure), the static cost bound (0 if not reached), the variables read, the
     * checked result type ("" if not reached) and the proposal's canonical form, to store for later duplicate checks.
     */
    public record Result(List<Step> steps, long costBound, List<String> variables, String resultType, String canonical) {

        public boolean valid() {
            return steps.stream().allMatch(Step::passed);
        }

        /** The step that failed, empty when valid. */
        public Optional<Step> failed() {
            return steps.stream().filter(s -> !s.passed()).findFirst();
        }
    }

    private static final Pattern LOOK_AHEAD = Pattern.compile(
            "(^|_)(future|next|outcome|outcomes|label|labels|target|realized|realised|forward|lead|tomorrow|settled|pnl|return_after|t_plus)(_|$|\\d)");
    private static final Set<String> ALLOWED_FUNCTIONS = Set.of(
            "_&&_", "_||_", "!_", "_?_:_", "_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_",
            "_+_", "_-_", "_*_", "_/_", "_%_", "-_", "_[_]", "@in", "size", "double", "@not_strictly_false");
    private static final Set<String> COMMUTATIVE = Set.of("_&&_", "_||_", "_==_", "_!=_", "_+_", "_*_");
    private static final Set<CelType> NUMERIC = Set.of(SimpleType.DOUBLE, SimpleType.INT, SimpleType.UINT);

    private final RuleCompiler compiler;
    private final Limits limits;
    private final Set<String> environment;
    private final Map<String, Object> trialVariables;

    public ProposalChecks(RuleCompiler compiler, Limits limits) {
        this.compiler = compiler;
        this.limits = limits;
        this.environment = new HashSet<>(RuleVariables.SCALARS.keySet());
        environment.add(RuleVariables.FEATURES);
        Map<String, Object> vars = new HashMap<>();
        RuleVariables.SCALARS.keySet().forEach(k -> vars.put(k, 0.5));
        Map<String, Double> features = new HashMap<>();
        compiler.featureNames().forEach(f -> features.put(f, 1.0));
        vars.put(RuleVariables.FEATURES, features);
        this.trialVariables = Map.copyOf(vars);
    }

    public Limits limits() {
        return limits;
    }

    /** Runs every step on {@code rule} against the rules it must not duplicate. */
    public Result check(RuleDefinition rule, Collection<Known> known) {
        List<Step> steps = new ArrayList<>();
        String id = rule.id() == null ? "" : rule.id();
        CelAbstractSyntaxTree parsed;
        try {
            parsed = compiler.parse(id, rule.expression());
        } catch (RuleRejected e) {
            steps.add(new Step(Stage.PARSE, false, e.getMessage()));
            return new Result(steps, 0, List.of(), "", "");
        }
        steps.add(new Step(Stage.PARSE, true, "parses"));

        Set<String> variables = freeVariables(parsed.getExpr());
        List<String> read = List.copyOf(new TreeSet<>(variables));
        Set<String> lookAhead = new TreeSet<>();
        for (String v : variables) {
            if (!environment.contains(v) && LOOK_AHEAD.matcher(v.toLowerCase(Locale.ROOT)).find()) {
                lookAhead.add(v);
            }
        }
        Set<String> lookAheadFeatures = new TreeSet<>();
        walk(parsed.getExpr(), e -> {
            String f = featureRead(e);
            if (f != null && LOOK_AHEAD.matcher(f.toLowerCase(Locale.ROOT)).find() && !compiler.featureNames().contains(f)) {
                lookAheadFeatures.add(f);
            }
        });
        if (!lookAhead.isEmpty() || !lookAheadFeatures.isEmpty()) {
            steps.add(new Step(Stage.LEAKAGE, false, "reads " + (lookAhead.isEmpty() ? "" : "variable(s) " + lookAhead)
                    + (lookAhead.isEmpty() || lookAheadFeatures.isEmpty() ? "" : " and ")
                    + (lookAheadFeatures.isEmpty() ? "" : "feature(s) " + lookAheadFeatures)
                    + ", which would only be known after the decision (look-ahead); a rule may read only " + new TreeSet<>(environment)
                    + " and the features of the schema"));
            return new Result(steps, 0, read, "", "");
        }
        steps.add(new Step(Stage.LEAKAGE, true, "reads only decision-time variables " + read));

        CelAbstractSyntaxTree checked;
        CompiledRule compiled;
        try {
            checked = compiler.check(rule);
            compiled = compiler.compile(rule);
        } catch (RuleRejected e) {
            steps.add(new Step(Stage.TYPE_CHECK, false, e.getMessage()));
            return new Result(steps, 0, read, "", "");
        }
        String resultType = checked.getResultType().name();
        steps.add(new Step(Stage.TYPE_CHECK, true, "yields " + resultType));

        String costProblem = functionsAndRanges(checked);
        if (costProblem != null) {
            steps.add(new Step(Stage.COST, false, costProblem));
            return new Result(steps, 0, read, resultType, "");
        }
        long cost = cost(checked.getExpr());
        if (cost > limits.costLimit()) {
            steps.add(new Step(Stage.COST, false, "worst-case cost " + cost + " is above the limit " + limits.costLimit()
                    + "; iterate over fewer values or split the rule"));
            return new Result(steps, cost, read, resultType, "");
        }
        long evaluated;
        try {
            evaluated = compiled.steps(trialVariables, limits.stepBudget());
        } catch (CelEvaluationException e) {
            // a runtime error on the trial values (e.g. a division by zero) is not a cost problem: the rule blocks then
            evaluated = -1;
        }
        if (evaluated > limits.stepBudget()) {
            steps.add(new Step(Stage.COST, false, "a trial evaluation ran past its budget of " + limits.stepBudget()
                    + " steps; iterate over fewer values"));
            return new Result(steps, cost, read, resultType, "");
        }
        steps.add(new Step(Stage.COST, true, "worst-case cost " + cost + " of " + limits.costLimit()
                + (evaluated >= 0 ? ", trial evaluation " + evaluated + " steps" : "")));

        String complexity = complexity(parsed.getExpr());
        if (complexity != null) {
            steps.add(new Step(Stage.COMPLEXITY, false, complexity));
            return new Result(steps, cost, read, resultType, "");
        }
        steps.add(new Step(Stage.COMPLEXITY, true, nodes(parsed.getExpr()) + " nodes, depth " + depth(parsed.getExpr())
                + ", " + constants(parsed.getExpr()).size() + " constants"));

        Shape shape = Shape.of(parsed.getExpr());
        for (Known k : known) {
            Shape other;
            try {
                other = Shape.of(compiler.parse(k.name(), k.expression()).getExpr());
            } catch (RuleRejected e) {
                continue;
            }
            double similarity = shape.similarity(other);
            if (similarity >= limits.duplicateSimilarity() && shape.constantsClose(other)) {
                steps.add(new Step(Stage.DUPLICATE, false, String.format(Locale.ROOT,
                        "a near-duplicate of %s (\"%s\"): structure %.0f%% the same, constants within 5%%; propose something that differs",
                        k.name(), k.expression(), 100 * similarity)));
                return new Result(steps, cost, read, resultType, shape.canonical());
            }
        }
        steps.add(new Step(Stage.DUPLICATE, true, "differs from " + known.size() + " known rule(s)"));
        return new Result(steps, cost, read, resultType, shape.canonical());
    }

    // ---- leakage -------------------------------------------------------------------------------------

    /** Identifiers read that no comprehension binds. */
    private static Set<String> freeVariables(CelExpr root) {
        Set<String> free = new HashSet<>();
        collectFree(root, new HashSet<>(), free);
        return free;
    }

    private static void collectFree(CelExpr e, Set<String> bound, Set<String> free) {
        switch (e.getKind()) {
            case IDENT -> {
                if (!bound.contains(e.ident().name())) {
                    free.add(e.ident().name());
                }
            }
            case COMPREHENSION -> {
                CelExpr.CelComprehension c = e.comprehension();
                collectFree(c.iterRange(), bound, free);
                collectFree(c.accuInit(), bound, free);
                Set<String> inner = new HashSet<>(bound);
                inner.add(c.iterVar());
                if (!c.iterVar2().isEmpty()) {
                    inner.add(c.iterVar2());
                }
                inner.add(c.accuVar());
                collectFree(c.loopCondition(), inner, free);
                collectFree(c.loopStep(), inner, free);
                collectFree(c.result(), inner, free);
            }
            default -> children(e).forEach(child -> collectFree(child, bound, free));
        }
    }

    /** The feature a node reads by constant name ({@code features.x} or {@code features["x"]}), or null. */
    private static String featureRead(CelExpr e) {
        if (e.getKind() == CelExpr.ExprKind.Kind.SELECT && isFeatures(e.select().operand())) {
            return e.select().field();
        }
        if (e.getKind() == CelExpr.ExprKind.Kind.CALL && "_[_]".equals(e.call().function()) && e.call().args().size() == 2
                && isFeatures(e.call().args().get(0)) && e.call().args().get(1).getKind() == CelExpr.ExprKind.Kind.CONSTANT
                && e.call().args().get(1).constant().getKind() == CelConstant.Kind.STRING_VALUE) {
            return e.call().args().get(1).constant().stringValue();
        }
        return null;
    }

    private static boolean isFeatures(CelExpr e) {
        return e.getKind() == CelExpr.ExprKind.Kind.IDENT && RuleVariables.FEATURES.equals(e.ident().name());
    }

    // ---- cost ----------------------------------------------------------------------------------------

    /** The first function or comprehension range the cost bound cannot allow, as a refusal; null when none. */
    private String functionsAndRanges(CelAbstractSyntaxTree ast) {
        String[] problem = {null};
        walk(ast.getExpr(), e -> {
            if (problem[0] != null) {
                return;
            }
            if (e.getKind() == CelExpr.ExprKind.Kind.CALL) {
                String f = e.call().function();
                if (!ALLOWED_FUNCTIONS.contains(f)) {
                    problem[0] = "calls " + f + ", which rules may not use (no regular expressions, string functions or "
                            + "conversions); use comparisons, arithmetic, && || !, ?:, in, size and double";
                } else if (("_+_".equals(f) || "_*_".equals(f)) && !ast.getType(e.id()).map(NUMERIC::contains).orElse(false)) {
                    problem[0] = "builds a " + ast.getType(e.id()).map(CelType::name).orElse("value")
                            + " with " + f.replace("_", "") + "; rules may only add numbers, not build strings or lists";
                }
            } else if (e.getKind() == CelExpr.ExprKind.Kind.COMPREHENSION && iterations(e.comprehension().iterRange()) < 0) {
                problem[0] = "iterates over a computed range, whose size the cost bound cannot know; iterate over features "
                        + "or a list literal";
            }
        });
        return problem[0];
    }

    /** A comprehension's iterations: the schema's feature count, a list literal's size, or -1 when unbounded. */
    private int iterations(CelExpr range) {
        if (isFeatures(range)) {
            return compiler.featureNames().size();
        }
        if (range.getKind() == CelExpr.ExprKind.Kind.LIST) {
            return range.list().elements().size();
        }
        return -1;
    }

    /** Worst-case evaluation cost: one per node, a comprehension's loop body times its iterations. */
    private long cost(CelExpr e) {
        if (e.getKind() == CelExpr.ExprKind.Kind.COMPREHENSION) {
            CelExpr.CelComprehension c = e.comprehension();
            long n = Math.max(0, iterations(c.iterRange()));
            return 1 + cost(c.iterRange()) + cost(c.accuInit()) + n * (cost(c.loopCondition()) + cost(c.loopStep()))
                    + cost(c.result());
        }
        long total = 1;
        for (CelExpr child : children(e)) {
            total += cost(child);
        }
        return total;
    }

    // ---- complexity ----------------------------------------------------------------------------------

    private String complexity(CelExpr root) {
        int nodes = nodes(root);
        if (nodes > limits.maxNodes()) {
            return nodes + " nodes, more than " + limits.maxNodes() + "; a rule should read at a glance: split it";
        }
        int depth = depth(root);
        if (depth > limits.maxDepth()) {
            return "nested " + depth + " deep, more than " + limits.maxDepth() + "; flatten it";
        }
        List<CelConstant> constants = constants(root);
        if (constants.size() > limits.maxConstants()) {
            return constants.size() + " constants, more than " + limits.maxConstants()
                    + "; a rule with many tuned constants fits noise: use fewer";
        }
        for (CelConstant c : constants) {
            if (c.getKind() == CelConstant.Kind.STRING_VALUE && c.stringValue().length() > limits.maxStringLength()) {
                return "a string literal of " + c.stringValue().length() + " characters, more than " + limits.maxStringLength();
            }
            if (c.getKind() == CelConstant.Kind.BYTES_VALUE) {
                return "a bytes literal; rules compare numbers";
            }
            double v = numeric(c);
            if (!(Math.abs(v) <= limits.maxMagnitude())) {
                return "the literal " + v + " is larger than " + limits.maxMagnitude() + " in magnitude; features and "
                        + "scores are of order 1";
            }
        }
        return null;
    }

    private static int nodes(CelExpr e) {
        int n = 1;
        for (CelExpr child : children(e)) {
            n += nodes(child);
        }
        return n;
    }

    private static int depth(CelExpr e) {
        int d = 0;
        for (CelExpr child : children(e)) {
            d = Math.max(d, depth(child));
        }
        return d + 1;
    }

    /** Numeric and string literals (bool and null literals are not tuned constants). */
    private static List<CelConstant> constants(CelExpr root) {
        List<CelConstant> out = new ArrayList<>();
        walk(root, e -> {
            if (e.getKind() == CelExpr.ExprKind.Kind.CONSTANT) {
                CelConstant.Kind k = e.constant().getKind();
                if (k != CelConstant.Kind.BOOLEAN_VALUE && k != CelConstant.Kind.NULL_VALUE) {
                    out.add(e.constant());
                }
            }
        });
        return out;
    }

    private static double numeric(CelConstant c) {
        return switch (c.getKind()) {
            case INT64_VALUE -> c.int64Value();
            case UINT64_VALUE -> c.uint64Value().doubleValue();
            case DOUBLE_VALUE -> c.doubleValue();
            default -> 0;
        };
    }

    // ---- duplicates ----------------------------------------------------------------------------------

    /** A rule's canonical subtrees and its constants, in canonical order. */
    record Shape(List<String> subtrees, List<Double> constants, String canonical) {

        static Shape of(CelExpr root) {
            List<String> subtrees = new ArrayList<>();
            List<Double> constants = new ArrayList<>();
            String canonical = canonical(root, subtrees, constants);
            return new Shape(subtrees, constants, canonical);
        }

        /** Jaccard similarity of the two multisets of canonical subtrees. */
        double similarity(Shape o) {
            Map<String, int[]> counts = new HashMap<>();
            subtrees.forEach(s -> counts.computeIfAbsent(s, k -> new int[2])[0]++);
            o.subtrees.forEach(s -> counts.computeIfAbsent(s, k -> new int[2])[1]++);
            int both = 0;
            int either = 0;
            for (int[] c : counts.values()) {
                both += Math.min(c[0], c[1]);
                either += Math.max(c[0], c[1]);
            }
            return either == 0 ? 1 : (double) both / either;
        }

        /** The same number of constants, pairwise within 5% (or 0.01 near zero). */
        boolean constantsClose(Shape o) {
            if (constants.size() != o.constants.size()) {
                return false;
            }
            for (int i = 0; i < constants.size(); i++) {
                double a = constants.get(i);
                double b = o.constants.get(i);
                if (Math.abs(a - b) > Math.max(0.01, 0.05 * Math.max(Math.abs(a), Math.abs(b)))) {
                    return false;
                }
            }
            return true;
        }

        private static String canonical(CelExpr e, List<String> subtrees, List<Double> constants) {
            String s;
            switch (e.getKind()) {
                case CONSTANT -> {
                    CelConstant c = e.constant();
                    if (c.getKind() == CelConstant.Kind.STRING_VALUE) {
                        s = "'" + c.stringValue() + "'";
                    } else if (c.getKind() == CelConstant.Kind.BOOLEAN_VALUE) {
                        s = Boolean.toString(c.booleanValue());
                    } else {
                        constants.add(numeric(c));
                        s = "#";
                    }
                }
                case IDENT -> s = e.ident().name();
                case SELECT -> s = isFeatures(e.select().operand()) ? "features['" + e.select().field() + "']"
                        : canonical(e.select().operand(), subtrees, constants) + "." + e.select().field();
                case CALL -> {
                    if (featureRead(e) != null) {
                        s = "features['" + featureRead(e) + "']";
                        break;
                    }
                    String name = e.call().function();
                    List<CelExpr> args = new ArrayList<>(e.call().args());
                    e.call().target().ifPresent(t -> args.add(0, t));
                    if (("_>_".equals(name) || "_>=_".equals(name)) && args.size() == 2) {
                        // b < a, not a > b
                        name = "_>=_".equals(name) ? "_<=_" : "_<_";
                        args.add(args.remove(0));
                    }
                    // constants are collected in argument order, then sorted with the arguments for commutative calls
                    List<String> parts = new ArrayList<>();
                    List<List<Double>> partConstants = new ArrayList<>();
                    for (CelExpr a : args) {
                        List<Double> cs = new ArrayList<>();
                        parts.add(canonical(a, subtrees, cs));
                        partConstants.add(cs);
                    }
                    if (COMMUTATIVE.contains(name)) {
                        List<Integer> order = new ArrayList<>();
                        for (int i = 0; i < parts.size(); i++) {
                            order.add(i);
                        }
                        order.sort((x, y) -> parts.get(x).compareTo(parts.get(y)));
                        List<String> sortedParts = new ArrayList<>();
                        for (int i : order) {
                            sortedParts.add(parts.get(i));
                            constants.addAll(partConstants.get(i));
                        }
                        s = name + "(" + String.join(",", sortedParts) + ")";
                    } else {
                        partConstants.forEach(constants::addAll);
                        s = name + "(" + String.join(",", parts) + ")";
                    }
                }
                default -> {
                    List<String> parts = new ArrayList<>();
                    for (CelExpr child : children(e)) {
                        parts.add(canonical(child, subtrees, constants));
                    }
                    s = e.getKind().name() + "(" + String.join(",", parts) + ")";
                }
            }
            subtrees.add(s);
            return s;
        }
    }

    // ---- tree walking --------------------------------------------------------------------------------

    private static void walk(CelExpr e, java.util.function.Consumer<CelExpr> visit) {
        visit.accept(e);
        children(e).forEach(child -> walk(child, visit));
    }

    private static List<CelExpr> children(CelExpr e) {
        return switch (e.getKind()) {
            case SELECT -> List.of(e.select().operand());
            case CALL -> {
                List<CelExpr> c = new ArrayList<>();
                e.call().target().ifPresent(c::add);
                c.addAll(e.call().args());
                yield c;
            }
            case LIST -> e.list().elements();
            case MAP -> {
                List<CelExpr> c = new ArrayList<>();
                e.map().entries().forEach(en -> {
                    c.add(en.key());
                    c.add(en.value());
                });
                yield c;
            }
            case STRUCT -> {
                List<CelExpr> c = new ArrayList<>();
                e.struct().entries().forEach(en -> c.add(en.value()));
                yield c;
            }
            case COMPREHENSION -> List.of(e.comprehension().iterRange(), e.comprehension().accuInit(),
                    e.comprehension().loopCondition(), e.comprehension().loopStep(), e.comprehension().result());
            default -> List.of();
        };
    }
}
