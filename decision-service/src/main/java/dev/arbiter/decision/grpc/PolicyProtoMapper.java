package dev.arbiter.decision.grpc;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.decision.experiment.AbReadouts;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.engine.experiment.AbTest;
import dev.arbiter.decision.policy.PolicyVersions.ParameterSetView;
import dev.arbiter.decision.policy.PolicyVersions.RuleSetView;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.rules.RuleDefinition;
import dev.arbiter.engine.rules.RuleKind;
import dev.arbiter.proto.v1.AbArm;
import dev.arbiter.proto.v1.AbDifference;
import dev.arbiter.proto.v1.AbReadout;
import dev.arbiter.proto.v1.AbVerdict;
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
        ListVariantsResponse.Builder b = ListVariantsResponse.newBuilder().setLiveFraction(s.liveFraction())
                .setSalt(s.salt()).setStartedTsMicros(s.experimentStartedMicros());
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

    static AbReadout abReadout(AbReadouts.Result r) {
        AbTest.Readout o = r.readout();
        return AbReadout.newBuilder()
                .setControl(arm(r.control(), r.controlShare(), o.a()))
                .setTreatment(arm(r.treatment(), r.treatmentShare(), o.b()))
                .setPnlPerBlock(difference(o.pnl()))
                .setFalsePositiveRate(difference(o.falsePositiveRate()))
                .setHitRate(difference(o.hitRate()))
                .setSrmPValue(o.srmPValue())
                .setFalsePositiveGuardrail(o.fprGuardrail())
                .setDrawdownGuardrail(o.drawdownGuardrail())
                .setVerdict(switch (o.verdict()) {
                    case CONTINUE -> AbVerdict.AB_VERDICT_CONTINUE;
                    case SAMPLE_RATIO_MISMATCH -> AbVerdict.AB_VERDICT_SAMPLE_RATIO_MISMATCH;
                    case STOP_GUARDRAIL -> AbVerdict.AB_VERDICT_STOP_GUARDRAIL;
                    case B_WORSE -> AbVerdict.AB_VERDICT_B_WORSE;
                    case B_BETTER -> AbVerdict.AB_VERDICT_B_BETTER;
                })
                .setRule(r.config().rule())
                .setAlpha(r.config().alpha())
                .setSinceTsMicros(r.sinceMicros())
                .build();
    }

    private static AbArm arm(String name, double share, AbTest.ArmReadout a) {
        return AbArm.newBuilder().setName(name).setShare(share).setSeries(a.series()).setBlocks(a.blocks())
                .setPnlPerBlock(orZero(a.pnlPerBlock())).setFalsePositiveRate(orZero(a.falsePositiveRate()))
                .setHitRate(orZero(a.hitRate())).setMaxDrawdown(a.maxDrawdown()).build();
    }

    /** An interval's ends may be infinite (proto doubles carry them); an estimate with no data is NaN, sent as 0. */
    private static AbDifference difference(AbTest.Difference d) {
        return AbDifference.newBuilder().setEstimate(orZero(d.estimate())).setLower(d.lower()).setUpper(d.upper()).build();
    }

    private static double orZero(double x) {
        return Double.isNaN(x) ? 0 : x;
    }
}
