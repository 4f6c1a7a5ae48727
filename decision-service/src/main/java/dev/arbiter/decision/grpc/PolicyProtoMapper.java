package dev.arbiter.decision.grpc;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.decision.policy.PolicyVersions.ParameterSetView;
import dev.arbiter.decision.policy.PolicyVersions.RuleSetView;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.rules.RuleDefinition;
import dev.arbiter.engine.rules.RuleKind;
import dev.arbiter.proto.v1.ListVariantsResponse;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps the live policy's proto messages to and from the service's views. */
final class PolicyProtoMapper {

    private PolicyProtoMapper() {}

    /** Requested parameter values as numbers; a string or an empty value is INVALID_ARGUMENT naming the entry. */
    static Map<String, Double> values(Map<String, ParameterValue> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterValue> e : values.entrySet()) {
            String field = "values[\"" + e.getKey() + "\"]";
            ParameterValue v = e.getValue();
            switch (v.getKindCase()) {
                case DOUBLE_VALUE -> out.put(e.getKey(), v.getDoubleValue());
                case INT_VALUE -> out.put(e.getKey(), (double) v.getIntValue());
                case STRING_VALUE -> throw invalid(field, field + " is the string \"" + v.getStringValue()
                        + "\"; policy parameters are numbers: send double_value (or int_value for whole-number parameters)");
                default -> throw invalid(field, field + " has no value; send double_value (or int_value for whole-number parameters)");
            }
        }
        return out;
    }

    static ParameterValue value(String key, double v) {
        PolicyParameter p = PolicyParameter.byKey(key);
        return p != null && p.integer() && v == Math.rint(v)
                ? ParameterValue.newBuilder().setIntValue((long) v).build()
                : ParameterValue.newBuilder().setDoubleValue(v).build();
    }

    static ParameterSet parameterSet(ParameterSetView v) {
        ParameterSet.Builder b = ParameterSet.newBuilder()
                .setVersion(v.version())
                .setAuthor(v.author())
                .setReason(v.reason())
                .setCreatedTsMicros(v.createdTsMicros())
                .setSourceVersion(v.sourceVersion())
                .setLive(v.live());
        v.values().forEach((k, x) -> b.putValues(k, value(k, x)));
        return b.build();
    }

    /** Requested rules; an unset or unknown kind is INVALID_ARGUMENT naming the rule. */
    static List<RuleDefinition> rules(List<Rule> rules) {
        List<RuleDefinition> out = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            RuleKind kind = switch (r.getKind()) {
                case RULE_KIND_GATE -> RuleKind.GATE;
                case RULE_KIND_SIZING -> RuleKind.SIZING;
                default -> throw invalid("rules[" + i + "].kind", "rules[" + i + "].kind (rule_id \"" + r.getRuleId() + "\") is "
                        + r.getKindValue() + "; send RULE_KIND_GATE (a bool expression) or RULE_KIND_SIZING (a double multiplier)");
            };
            if (r.getDescription().length() > 2000) {
                throw invalid("rules[" + i + "].description", "rules[" + i + "].description has " + r.getDescription().length() + " characters; send at most 2000");
            }
            out.add(new RuleDefinition(r.getRuleId(), r.getExpression(), kind, r.getDescription()));
        }
        return out;
    }

    static Rule rule(RuleDefinition d) {
        return Rule.newBuilder()
                .setRuleId(d.id())
                .setExpression(d.expression())
                .setKind(d.kind() == RuleKind.GATE ? dev.arbiter.proto.v1.RuleKind.RULE_KIND_GATE : dev.arbiter.proto.v1.RuleKind.RULE_KIND_SIZING)
                .setDescription(d.description() == null ? "" : d.description())
                .build();
    }

    static RuleSet ruleSet(RuleSetView v) {
        RuleSet.Builder b = RuleSet.newBuilder()
                .setVersion(v.version())
                .setAuthor(v.author())
                .setReason(v.reason())
                .setCreatedTsMicros(v.createdTsMicros())
                .setSourceVersion(v.sourceVersion())
                .setLive(v.live())
                .addAllProposalIds(v.proposalIds());
        v.rules().forEach(r -> b.addRules(rule(r)));
        return b.build();
    }

    static LivePolicy.VariantState variant(Variant v) {
        return new LivePolicy.VariantState(v.getName(), v.getSplitFraction(), v.getParameterSetVersion(), v.getRuleSetVersion(),
                v.getDescription(), 0);
    }

    static ListVariantsResponse variants(LivePolicy.State s) {
        ListVariantsResponse.Builder b = ListVariantsResponse.newBuilder().setLiveFraction(s.liveFraction());
        for (LivePolicy.VariantState v : s.variants()) {
            b.addVariants(Variant.newBuilder()
                    .setName(v.name())
                    .setSplitFraction(v.splitFraction())
                    .setParameterSetVersion(v.parameterSetVersion())
                    .setRuleSetVersion(v.ruleSetVersion())
                    .setDescription(v.description())
                    .setCreatedTsMicros(v.createdTsMicros()));
        }
        return b.build();
    }
}
