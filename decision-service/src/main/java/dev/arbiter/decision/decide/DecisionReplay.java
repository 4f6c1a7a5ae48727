package dev.arbiter.decision.decide;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.log.DecisionQueries;
import dev.arbiter.decision.policy.FeatureSchemas;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.decision.policy.PolicySnapshot;
import dev.arbiter.engine.policy.DecisionPolicy;
import dev.arbiter.engine.policy.PolicyInput;
import dev.arbiter.engine.policy.PolicyResult;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionDifference;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.GateResult;
import dev.arbiter.proto.v1.ReplayDecisionResponse;
import dev.arbiter.proto.v1.ReplayMode;
import dev.arbiter.proto.v1.RiskState;
import dev.arbiter.service.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Recomputes a logged decision from what was logged with it — its features, the ensemble's probability and
 * agreement, the risk state before it — with the versions it recorded (or today's live versions), through the same
 * engine {@link DecisionPolicy} the decide path runs, and lists what differs. Nothing is logged, no risk state
 * changes. With the recorded versions any difference is a reproducibility bug.
 */
@ApplicationScoped
public class DecisionReplay {

    private final DecisionLog log;
    private final LivePolicy policy;
    private final FeatureSchemas schemas;
    private final DecisionConfig config;

    public DecisionReplay(DecisionLog log, LivePolicy policy, FeatureSchemas schemas, DecisionConfig config) {
        this.log = log;
        this.policy = policy;
        this.schemas = schemas;
        this.config = config;
    }

    public ReplayDecisionResponse replay(String decisionId, ReplayMode mode) {
        DecisionQueries.checkDecisionId(decisionId, "decision_id");
        if (mode == ReplayMode.UNRECOGNIZED) {
            throw invalid("mode", "mode is not a ReplayMode; send REPLAY_MODE_RECORDED_VERSIONS, REPLAY_MODE_LIVE_VERSIONS or leave it unset");
        }
        Decision original = log.find(decisionId).orElseThrow(() -> RequestRefused.notFound("decision_id",
                "decision_id " + decisionId + " is not in the decision log; send the decision_id of a Decision this service answered"));
        if (original.getPredictionId().isEmpty()) {
            String why = original.getDegraded() ? "degraded without a prediction (" + original.getDegradedReason() + ")"
                    : "without a prediction while the series warmed up";
            throw precondition("decision_id", "decision " + decisionId + " was made " + why
                    + ": there is no ensemble probability to recompute it from");
        }
        FeatureVector features = original.getFeatures();
        if (features.getSchemaId().isEmpty()) {
            throw precondition("decision_id", "decision " + decisionId + " was logged without features: it cannot be recomputed");
        }
        FeatureSchemas.Schema schema = schemas.schema(features.getSchemaId(), "decision_id");
        List<String> names = schema.names();
        if (names.size() != features.getValuesCount()) {
            throw precondition("decision_id", "decision " + decisionId + " has " + features.getValuesCount() + " feature values but schema \""
                    + features.getSchemaId() + "\" names " + names.size());
        }
        PolicySnapshot snapshot = mode == ReplayMode.REPLAY_MODE_LIVE_VERSIONS
                ? policy.forSeries(original.getSeriesId(), LivePolicy.LIVE, names)
                : policy.forVersions(original.getVersions().getVariantName(), original.getVersions().getParameterSetVersion(),
                        original.getVersions().getRuleSetVersion(), names);
        Decision replayed = recompute(original, snapshot, schema);
        List<DecisionDifference> differences = differences(original, replayed);
        return ReplayDecisionResponse.newBuilder()
                .setOriginal(original)
                .setReplayed(replayed)
                .addAllDifferences(differences)
                .setIdentical(differences.isEmpty())
                .build();
    }

    private Decision recompute(Decision original, PolicySnapshot snapshot, FeatureSchemas.Schema schema) {
        FeatureVector f = original.getFeatures();
        double[] values = new double[f.getValuesCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = f.getValues(i);
        }
        int vol = schema.volatilityIndex(config.volatilityFeature());
        int trend = schema.trendIndex(config.trendFeature());
        RiskState risk = original.getRiskState();
        PolicyInput in = new PolicyInput().set(original.getEnsembleProbability(), original.getAgreement(),
                vol < 0 ? Double.NaN : values[vol], trend < 0 ? Double.NaN : values[trend], DecisionPath.warm(f),
                risk.getDrawdown(), risk.getExposure(), risk.getSeriesExposure(), risk.getCooldownRemaining());
        in.features = values;
        in.metaProbability = original.hasMetaProbability() ? original.getMetaProbability() : Double.NaN;
        PolicyResult out = new PolicyResult();
        DecisionPolicy decisionPolicy = new DecisionPolicy(snapshot.parameters());
        decisionPolicy.decide(in, snapshot.rules(), out);

        Decision.Builder b = original.toBuilder()
                .clearDecisionId()
                .clearLatency()
                .clearDecidedTsMicros()
                .setDuplicate(false);
        b.getVersionsBuilder()
                .setVariantName(snapshot.variantName())
                .setParameterSetVersion(snapshot.parameterSetVersion())
                .setRuleSetVersion(snapshot.ruleSetVersion());
        DecisionExplanation.apply(b, decisionPolicy, in, snapshot.rules(), out);
        return b.build();
    }

    /** Every field that differs, latencies, ids and times excluded. */
    static List<DecisionDifference> differences(Decision a, Decision b) {
        List<DecisionDifference> d = new ArrayList<>();
        diff(d, "direction", a.getDirection(), b.getDirection());
        diff(d, "size", a.getSize(), b.getSize());
        diff(d, "confidence", a.getConfidence(), b.getConfidence());
        diff(d, "versions.variant_name", a.getVersions().getVariantName(), b.getVersions().getVariantName());
        diff(d, "versions.parameter_set_version", a.getVersions().getParameterSetVersion(), b.getVersions().getParameterSetVersion());
        diff(d, "versions.rule_set_version", a.getVersions().getRuleSetVersion(), b.getVersions().getRuleSetVersion());
        Map<String, GateResult> ga = gates(a);
        Map<String, GateResult> gb = gates(b);
        for (Map.Entry<String, GateResult> e : ga.entrySet()) {
            GateResult x = e.getValue();
            GateResult y = gb.get(e.getKey());
            String f = "gates[" + e.getKey() + "]";
            if (y == null) {
                d.add(difference(f, x.getPassed() ? "passed" : "blocked", "not evaluated"));
                continue;
            }
            diff(d, f + ".passed", x.getPassed(), y.getPassed());
            diff(d, f + ".value", x.hasValue() ? x.getValue() : null, y.hasValue() ? y.getValue() : null);
            diff(d, f + ".threshold", x.hasThreshold() ? x.getThreshold() : null, y.hasThreshold() ? y.getThreshold() : null);
            diff(d, f + ".reason", x.getReason(), y.getReason());
        }
        for (Map.Entry<String, GateResult> e : gb.entrySet()) {
            if (!ga.containsKey(e.getKey())) {
                d.add(difference("gates[" + e.getKey() + "]", "not evaluated", e.getValue().getPassed() ? "passed" : "blocked"));
            }
        }
        int n = Math.max(a.getReasonsCount(), b.getReasonsCount());
        for (int i = 0; i < n; i++) {
            diff(d, "reasons[" + i + "]", i < a.getReasonsCount() ? a.getReasons(i) : null, i < b.getReasonsCount() ? b.getReasons(i) : null);
        }
        return d;
    }

    private static Map<String, GateResult> gates(Decision d) {
        Map<String, GateResult> m = new LinkedHashMap<>();
        d.getGatesList().forEach(g -> m.put(g.getName(), g));
        return m;
    }

    private static void diff(List<DecisionDifference> d, String field, Object a, Object b) {
        boolean same = a instanceof Double x && b instanceof Double y ? Double.compare(x, y) == 0 : Objects.equals(a, b);
        if (!same) {
            d.add(difference(field, a == null ? "(none)" : String.valueOf(a), b == null ? "(none)" : String.valueOf(b)));
        }
    }

    private static DecisionDifference difference(String field, String a, String b) {
        return DecisionDifference.newBuilder().setField(field).setOriginalValue(a).setReplayedValue(b).build();
    }
}
