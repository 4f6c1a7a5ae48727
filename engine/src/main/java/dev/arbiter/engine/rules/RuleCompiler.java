package dev.arbiter.engine.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns rule definitions into checked, cost-bounded programs. A rule is parsed, type-checked against
 * {@link RuleVariables} (gates must be bool, sizing rules double), every feature it names must exist in the
 * feature schema, and its size is bounded (characters, AST nodes, comprehension iterations), so evaluation
 * stays in microseconds. Thread-safe; compile once per rule set version.
 */
public final class RuleCompiler {

    /** Longest expression accepted, in characters. */
    public static final int MAX_EXPRESSION_LENGTH = 2000;
    /** Largest expression accepted, in AST nodes. */
    public static final int MAX_NODES = 200;
    /** Most iterations any comprehension (all, exists, map, filter) may run. */
    public static final int MAX_COMPREHENSION_ITERATIONS = 1000;

    private static final Pattern RULE_ID = Pattern.compile("[a-z0-9_]{1,64}");
    private static final CelOptions OPTIONS = CelOptions.current()
            .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
            .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    private final CelCompiler compiler;
    private final List<String> featureNames;
    private final Set<String> featureSet;

    /** A compiler for rules over features named {@code featureNames} (schema order). */
    public RuleCompiler(List<String> featureNames) {
        this.featureNames = List.copyOf(featureNames);
        this.featureSet = new HashSet<>(featureNames);
        CelCompilerBuilder b = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS);
        for (String name : RuleVariables.SCALARS.keySet()) {
            b.addVar(name, SimpleType.DOUBLE);
        }
        b.addVar(RuleVariables.FEATURES, MapType.create(SimpleType.STRING, SimpleType.DOUBLE));
        this.compiler = b.build();
    }

    public List<String> featureNames() {
        return featureNames;
    }

    /**
     * Compiles a whole rule set, in order.
     *
     * @throws RuleRejected for the first rule that cannot be loaded, or a repeated id
     */
    public CompiledRuleSet compile(List<RuleDefinition> rules) {
        Set<String> ids = new HashSet<>();
        List<CompiledRule> compiled = new ArrayList<>(rules.size());
        for (RuleDefinition r : rules) {
            if (!ids.add(r.id())) {
                throw new RuleRejected(r.id(), "the id is used twice; give every rule of a set its own id");
            }
            compiled.add(compile(r));
        }
        return new CompiledRuleSet(compiled, featureNames);
    }

    /**
     * Compiles one rule.
     *
     * @throws RuleRejected with the checker's message when the rule cannot be loaded
     */
    public CompiledRule compile(RuleDefinition rule) {
        CelAbstractSyntaxTree ast = check(rule);
        try {
            return new CompiledRule(rule, RUNTIME.createProgram(ast));
        } catch (CelEvaluationException e) {
            throw new RuleRejected(rule.id(), "cannot be planned for evaluation: " + e.getMessage());
        }
    }

    /**
     * Parses {@code expression} only (no types, no variables): the syntax tree with macros expanded.
     *
     * @throws RuleRejected with the parser's message, with position
     */
    public CelAbstractSyntaxTree parse(String id, String expression) {
        CelValidationResult result = compiler.parse(expression == null ? "" : expression.strip());
        try {
            if (result.hasError()) {
                throw new RuleRejected(id, "does not parse: " + result.getErrorString());
            }
            return result.getAst();
        } catch (CelValidationException e) {
            throw new RuleRejected(id, "does not parse: " + e.getMessage());
        }
    }

    /**
     * Everything {@link #compile(RuleDefinition)} checks, answering the type-checked syntax tree (whose
     * {@code getType(exprId)} gives each node's type).
     *
     * @throws RuleRejected with the checker's message when the rule cannot be loaded
     */
    public CelAbstractSyntaxTree check(RuleDefinition rule) {
        String id = rule.id() == null ? "" : rule.id();
        if (!RULE_ID.matcher(id).matches()) {
            throw new RuleRejected(id, "rule_id must be 1-64 lowercase letters, digits or '_'");
        }
        if (rule.kind() == null) {
            throw new RuleRejected(id, "kind is not set; use GATE (bool) or SIZING (double multiplier)");
        }
        String expression = rule.expression() == null ? "" : rule.expression().strip();
        if (expression.isEmpty()) {
            throw new RuleRejected(id, "expression is empty; write a CEL expression, e.g. \"agreement >= 0.6\"");
        }
        if (expression.length() > MAX_EXPRESSION_LENGTH) {
            throw new RuleRejected(id, "expression has " + expression.length() + " characters, more than "
                    + MAX_EXPRESSION_LENGTH + "; split it into several rules");
        }
        CelValidationResult result = compiler.compile(expression);
        if (result.hasError()) {
            throw new RuleRejected(id, "does not compile: " + result.getErrorString());
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = result.getAst();
        } catch (CelValidationException e) {
            throw new RuleRejected(id, "does not compile: " + e.getMessage());
        }
        CelType expected = rule.kind() == RuleKind.GATE ? SimpleType.BOOL : SimpleType.DOUBLE;
        CelType actual = ast.getResultType();
        if (!expected.equals(actual)) {
            throw new RuleRejected(id, "a " + rule.kind() + " rule must yield " + expected.name() + " but this yields "
                    + actual.name() + (rule.kind() == RuleKind.SIZING ? "; write doubles such as 0.5 or 1.0, not 1" : ""));
        }
        checkNodesAndFeatures(id, ast);
        return ast;
    }

    private void checkNodesAndFeatures(String id, CelAbstractSyntaxTree ast) {
        List<CelNavigableExpr> nodes = CelNavigableAst.fromAst(ast).getRoot().allNodes().toList();
        if (nodes.size() > MAX_NODES) {
            throw new RuleRejected(id, "expression has " + nodes.size() + " nodes, more than " + MAX_NODES
                    + "; simplify it or split it into several rules");
        }
        Set<String> unknown = new TreeSet<>();
        for (CelNavigableExpr node : nodes) {
            CelExpr e = node.expr();
            String feature = null;
            if (e.getKind() == CelExpr.ExprKind.Kind.SELECT && isFeaturesIdent(e.select().operand())) {
                feature = e.select().field();
            } else if (e.getKind() == CelExpr.ExprKind.Kind.CALL && "_[_]".equals(e.call().function())
                    && e.call().args().size() == 2 && isFeaturesIdent(e.call().args().get(0))) {
                CelExpr key = e.call().args().get(1);
                if (key.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                        && key.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                    feature = key.constant().stringValue();
                } else if (key.getKind() != CelExpr.ExprKind.Kind.IDENT) {
                    // an iteration variable (features.all(k, features[k] < 1.0)) only yields known names
                    throw new RuleRejected(id, "features[...] needs a constant feature name, e.g. features[\"vol_20\"]");
                }
            }
            if (feature != null && !featureSet.contains(feature)) {
                unknown.add(feature);
            }
        }
        if (!unknown.isEmpty()) {
            throw new RuleRejected(id, "reads unknown feature(s) " + unknown + "; known features: " + featureNames);
        }
    }

    private static boolean isFeaturesIdent(CelExpr e) {
        return e.getKind() == CelExpr.ExprKind.Kind.IDENT && RuleVariables.FEATURES.equals(e.ident().name());
    }
}
