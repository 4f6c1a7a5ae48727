package dev.arbiter.rules.validation;

import dev.arbiter.engine.rules.ProposalChecks;
import dev.arbiter.engine.rules.RuleCompiler;
import dev.arbiter.engine.rules.RuleDefinition;
import dev.arbiter.engine.rules.RuleVariables;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.GetPerformanceResponse;
import dev.arbiter.proto.v1.ObservedRange;
import dev.arbiter.proto.v1.VariantPerformance;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.GetRuleSetRequest;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleEnvironment;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.RuleValidation;
import dev.arbiter.proto.v1.RuleVariable;
import dev.arbiter.proto.v1.ValidationStage;
import dev.arbiter.proto.v1.ValidationStep;
import dev.arbiter.rules.config.RulesConfig;
import dev.arbiter.service.Identifiers;
import dev.arbiter.service.RequestRefused;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs engine {@link ProposalChecks} on a rule: over the feature schema feature-service serves now, against
 * decision-service's live rules (both asked for again after {@code arbiter.rules.cache-ttl}). Thread-safe.
 */
@ApplicationScoped
public class RuleValidator {

    /** A rule id: what decision-service accepts in a rule set. */
    public static final Pattern RULE_ID = Pattern.compile("[a-z0-9_]{1,64}");

    /** Longest rule description. */
    public static final int MAX_DESCRIPTION = 500;

    /** The checks of one feature schema. */
    private record Checks(FeatureSchema schema, ProposalChecks checks, long fetchedNanos) {}

    /** decision-service's live rules as last read (version 0 and no rules when never read), or why they could not be read. */
    private record Live(int version, List<Rule> set, List<ProposalChecks.Known> rules, String unavailable,
                        long fetchedNanos) {}

    /**
     * decision-service's live rule set as rule-service knows it: its version and rule ids, or (version 0) why it could
     * not be read.
     */
    public record LiveRules(int version, List<Rule> rules, String unavailable) {

        public List<String> ruleIds() {
            return rules.stream().map(Rule::getRuleId).toList();
        }
    }

    private final FeatureServiceGrpc.FeatureServiceBlockingStub features;
    private final DecisionServiceGrpc.DecisionServiceBlockingStub decisions;
    private final RulesConfig config;
    private volatile Checks checks;
    private volatile Live live;

    public RuleValidator(@GrpcClient("features") Channel features, @GrpcClient("decisions") Channel decisions,
                         RulesConfig config) {
        this.features = FeatureServiceGrpc.newBlockingStub(features);
        this.decisions = DecisionServiceGrpc.newBlockingStub(decisions);
        this.config = config;
    }

    /** What rules are checked against: the variables by name, the cost limit and the feature schema. */
    public RuleEnvironment environment() {
        Checks c = checks();
        Map<String, RuleVariable> byName = new TreeMap<>();
        RuleVariables.SCALARS.forEach((name, description) -> byName.put(name, RuleVariable.newBuilder()
                .setName(name).setCelType("double").setDescription(description).build()));
        byName.put(RuleVariables.FEATURES, RuleVariable.newBuilder().setName(RuleVariables.FEATURES)
                .setCelType("map(string, double)")
                .setDescription("the observation's features by name (features.vol_20 or features[\"vol_20\"]): "
                        + String.join(", ", c.schema().getNamesList())
                        + "; a feature that is not a number for this observation is absent, and a rule reading it blocks")
                .build());
        List<ObservedRange> observed = observed();
        List<ObservedRange> features = new ArrayList<>();
        for (ObservedRange r : observed) {
            if (r.getName().startsWith(RuleVariables.FEATURES + ".")) {
                features.add(r);
            } else if (byName.containsKey(r.getName())) {
                byName.put(r.getName(), byName.get(r.getName()).toBuilder().setObserved(r).build());
            }
        }
        return RuleEnvironment.newBuilder().addAllVariables(byName.values()).addAllObservedFeatures(features)
                .setCostLimit(config.limits().costLimit()).setFeatureSchemaId(c.schema().getSchemaId()).build();
    }

    private record Performance(GetPerformanceResponse response, long fetchedNanos) {}

    private volatile Performance performance;

    /**
     * decision-service's performance of the live policy over its rolling window, with the breakdown (losing actions by
     * regime and feature decile, observed ranges; GetPerformance with breakdown), kept for {@code cache-ttl}: what a
     * proposal round's summary and GetRuleEnvironment's observed ranges both read, so one round reads the decision log
     * once. While decision-service does not answer: the last answer, or null when there was none.
     */
    public GetPerformanceResponse livePerformance() {
        Performance p = performance;
        if (p != null && !expired(p.fetchedNanos())) {
            return p.response();
        }
        try {
            GetPerformanceResponse r = decisions.withDeadlineAfter(config.dependencyDeadline().toMillis(), TimeUnit.MILLISECONDS)
                    .getPerformance(GetPerformanceRequest.newBuilder().addVariantNames("live").setBreakdown(true).build());
            performance = new Performance(r, System.nanoTime());
            return r;
        } catch (StatusRuntimeException e) {
            return p == null ? null : p.response();
        }
    }

    /** The observed ranges of the variables and features (none while decision-service has never answered). */
    private List<ObservedRange> observed() {
        GetPerformanceResponse r = livePerformance();
        if (r != null) {
            for (VariantPerformance v : r.getVariantsList()) {
                if (v.getVariantName().equals("live")) {
                    return v.getObservedList();
                }
            }
        }
        return List.of();
    }

    /**
     * Every validation step on {@code rule}, near-duplicates looked for among the live rules and {@code earlier}.
     *
     * @throws RequestRefused INVALID_ARGUMENT for a rule that cannot be a rule at all (no id, kind or expression),
     *                        UNAVAILABLE when feature-service does not answer
     */
    public RuleValidation validate(Rule rule, boolean ruleSet, List<ProposalChecks.Known> earlier) {
        requireWellFormed(rule, ruleSet);
        Checks c = checks();
        Live l = live();
        List<ProposalChecks.Known> known = new ArrayList<>(l.rules());
        known.addAll(earlier);
        ProposalChecks.Result result = c.checks().check(new RuleDefinition(rule.getRuleId(), rule.getExpression(),
                rule.getKind() == RuleKind.RULE_KIND_GATE ? dev.arbiter.engine.rules.RuleKind.GATE
                        : dev.arbiter.engine.rules.RuleKind.SIZING, rule.getDescription()), known);
        RuleValidation.Builder out = RuleValidation.newBuilder()
                .setValid(result.valid())
                .setCostBound(result.costBound())
                .setCostLimit(config.limits().costLimit())
                .setResultType(result.resultType())
                .addAllVariables(result.variables());
        for (ProposalChecks.Step step : result.steps()) {
            String detail = step.detail();
            if (step.stage() == ProposalChecks.Stage.DUPLICATE && step.passed() && l.unavailable() != null) {
                detail += "; decision-service's live rules were not compared: " + l.unavailable();
            }
            out.addSteps(ValidationStep.newBuilder().setStage(stage(step.stage())).setPassed(step.passed()).setDetail(detail));
        }
        result.failed().ifPresent(f -> out.setFailedStage(stage(f.stage())).setMessage(f.detail()));
        return out.build();
    }

    /**
     * Refuses a rule that cannot be a rule at all: unset, an id that is not 1-64 of [a-z0-9_], no kind, an empty or
     * too long expression (INVALID_ARGUMENT naming the field).
     */
    public void requireWellFormed(Rule rule, boolean ruleSet) {
        if (!ruleSet) {
            throw RequestRefused.invalid("rule", "rule is required: the rule to validate, with rule_id, kind and expression");
        }
        if (!RULE_ID.matcher(rule.getRuleId()).matches()) {
            throw RequestRefused.invalid("rule.rule_id", "rule.rule_id must be 1-64 lowercase letters, digits or '_', "
                    + "e.g. \"calm_trend\"");
        }
        if (rule.getKind() != RuleKind.RULE_KIND_GATE && rule.getKind() != RuleKind.RULE_KIND_SIZING) {
            throw RequestRefused.invalid("rule.kind", "rule.kind must be RULE_KIND_GATE (a bool expression) or "
                    + "RULE_KIND_SIZING (a double multiplier)");
        }
        if (rule.getExpression().isBlank()) {
            throw RequestRefused.invalid("rule.expression", "rule.expression is empty; write a CEL expression, e.g. "
                    + "\"agreement >= 0.6\"");
        }
        if (rule.getExpression().length() > RuleCompiler.MAX_EXPRESSION_LENGTH) {
            throw RequestRefused.invalid("rule.expression", "rule.expression has " + rule.getExpression().length()
                    + " characters, more than " + RuleCompiler.MAX_EXPRESSION_LENGTH + "; split it into several rules");
        }
        Identifiers.requireText("rule.expression", rule.getExpression(), RuleCompiler.MAX_EXPRESSION_LENGTH);
        Identifiers.requireText("rule.description", rule.getDescription(), MAX_DESCRIPTION);
    }

    private static ValidationStage stage(ProposalChecks.Stage stage) {
        return switch (stage) {
            case PARSE -> ValidationStage.VALIDATION_STAGE_PARSE;
            case LEAKAGE -> ValidationStage.VALIDATION_STAGE_LEAKAGE;
            case TYPE_CHECK -> ValidationStage.VALIDATION_STAGE_TYPE_CHECK;
            case COST -> ValidationStage.VALIDATION_STAGE_COST;
            case COMPLEXITY -> ValidationStage.VALIDATION_STAGE_COMPLEXITY;
            case DUPLICATE -> ValidationStage.VALIDATION_STAGE_DUPLICATE;
        };
    }

    private Checks checks() {
        Checks c = checks;
        if (c != null && !expired(c.fetchedNanos())) {
            return c;
        }
        FeatureSchema schema;
        try {
            schema = features.withDeadlineAfter(config.dependencyDeadline().toMillis(), TimeUnit.MILLISECONDS)
                    .getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            if (c != null) {
                // the schema changes only when feature-service is reconfigured: the last one read stays good meanwhile
                return c;
            }
            throw new RequestRefused(Status.Code.UNAVAILABLE, "", "feature-service did not answer for the feature schema "
                    + "(" + e.getStatus().getCode() + "): the features rules may read are named by it; retry");
        }
        if (c != null && c.schema().equals(schema)) {
            c = new Checks(c.schema(), c.checks(), System.nanoTime());
        } else {
            c = new Checks(schema, new ProposalChecks(new RuleCompiler(schema.getNamesList()), config.limits().asEngineLimits()),
                    System.nanoTime());
        }
        checks = c;
        return c;
    }

    /** decision-service's live rule set, as last read (asked for again after the cache TTL). */
    public LiveRules liveRules() {
        Live l = live();
        return new LiveRules(l.version(), l.set(), l.unavailable());
    }

    private Live live() {
        Live l = live;
        if (l != null && !expired(l.fetchedNanos())) {
            return l;
        }
        try {
            RuleSet set = decisions.withDeadlineAfter(config.dependencyDeadline().toMillis(), TimeUnit.MILLISECONDS)
                    .getRuleSet(GetRuleSetRequest.newBuilder().setVersion(0).build());
            List<ProposalChecks.Known> rules = set.getRulesList().stream()
                    .map(r -> new ProposalChecks.Known("live rule " + r.getRuleId() + " (rule set " + set.getVersion() + ")",
                            r.getExpression()))
                    .toList();
            l = new Live(set.getVersion(), set.getRulesList(), rules, null, System.nanoTime());
        } catch (StatusRuntimeException e) {
            if (l != null) {
                // the rules last read are compared with until decision-service answers again
                return l;
            }
            // not cached: the next validation asks again
            return new Live(0, List.of(), List.of(), "decision-service did not answer (" + e.getStatus().getCode() + ")", System.nanoTime());
        }
        live = l;
        return l;
    }

    private boolean expired(long fetchedNanos) {
        return System.nanoTime() - fetchedNanos > config.cacheTtl().toNanos();
    }
}
