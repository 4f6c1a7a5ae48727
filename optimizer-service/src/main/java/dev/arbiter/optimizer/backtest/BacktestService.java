package dev.arbiter.optimizer.backtest;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.rules.RuleCompiler;
import dev.arbiter.engine.rules.RuleDefinition;
import dev.arbiter.engine.rules.RuleKind;
import dev.arbiter.engine.rules.RuleRejected;
import dev.arbiter.optimizer.config.BacktestConfig;
import dev.arbiter.optimizer.config.FeatureSchemaConfig;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.LabelDefinition;
import dev.arbiter.optimizer.dataset.LabelSpecs;
import dev.arbiter.optimizer.dataset.SeriesFeatures;
import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.optimizer.history.SeriesHistory;
import dev.arbiter.optimizer.training.ModelSettings;
import dev.arbiter.proto.v1.AblationVariant;
import dev.arbiter.proto.v1.BacktestProgress;
import dev.arbiter.proto.v1.BacktestReport;
import dev.arbiter.proto.v1.BacktestSpec;
import dev.arbiter.proto.v1.BacktestUpdate;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.WalkForwardConfig;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.TimeRanges;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Runs walk-forward backtests (RunBacktest): checks the spec, reads the series' history, builds the dataset with
 * the engine's feature pipeline, runs {@link WalkForwardBacktest}, streams progress after every fold and stores
 * the report.
 */
@ApplicationScoped
public class BacktestService {

    private final HistoryStore history;
    private final ReportStore reports;
    private final BacktestConfig config;
    /** The windows features are computed with: those feature-service serves (arbiter.features.windows.*). */
    private final FeatureConfig features;

    public BacktestService(HistoryStore history, ReportStore reports, BacktestConfig config, FeatureSchemaConfig features) {
        this.features = FeatureConfig.fromParameters(features.windows().asParameters());
        this.history = history;
        this.reports = reports;
        this.config = config;
    }

    /** A checked spec: everything the run needs except the data. */
    record Plan(String seriesId, long start, long end, LabelDefinition label, List<ModelSettings> members,
                PolicyParameters parameters, List<RuleDefinition> rules, WalkForwardConfig walkForward) {
    }

    /**
     * Runs the backtest, calling {@code emit} with progress after each fold and the report last. Blocking.
     *
     * @throws RequestRefused for a spec that cannot run, naming the field
     */
    /** A checked spec with its data: what a walk-forward run needs. */
    public record Setup(Dataset data, WalkForwardBacktest.Settings settings, String seriesId) {
    }

    /**
     * Checks the spec, reads the series and builds the dataset and the run's settings. Blocking.
     *
     * @throws RequestRefused for a spec that cannot run, naming the field (under "spec.")
     */
    public Setup setup(BacktestSpec spec) {
        Plan plan = plan(spec);
        SeriesHistory h;
        try {
            h = history.read(plan.seriesId(), plan.start(), plan.end());
        } catch (RequestRefused e) {
            throw new RequestRefused(e.code(), "spec.series_ids[0]", "spec.series_ids[0]: " + e.getMessage());
        }
        if (h.size() == 0) {
            throw invalid("spec.range", "spec.range: series \"" + plan.seriesId() + "\" has no observations in the range; widen"
                    + " spec.range or leave it unset for all history");
        }
        Dataset data = Dataset.build(plan.seriesId(), SeriesFeatures.compute(features, h), h.tsMicros(), h.value(),
                plan.label());
        if (data.rows() == 0) {
            throw invalid("spec.label", "spec.label: no observation of \"" + plan.seriesId() + "\" gets a label: " + h.size()
                    + " observations, of which " + data.counts().unwarm() + " warm up the features and "
                    + data.counts().beyondEnd() + " lie within the label horizon of the end; use a shorter horizon or more history");
        }
        CompiledRuleSet rules;
        try {
            rules = new RuleCompiler(data.featureNames()).compile(plan.rules());
        } catch (RuleRejected e) {
            throw invalid("spec.inline_rule_set.rules", "spec.inline_rule_set.rules: " + e.getMessage());
        }
        WalkForwardConfig wf = plan.walkForward();
        int test = (int) wf.getTestObservations();
        int step = wf.getStepObservations() == 0 ? test : (int) wf.getStepObservations();
        int gap = wf.getGapObservations() == 0 ? data.horizon() : (int) wf.getGapObservations();
        int maxFolds = wf.getMaxFolds() == 0 ? config.maxFolds() : Math.min((int) wf.getMaxFolds(), config.maxFolds());
        WalkForwardBacktest.Settings settings = new WalkForwardBacktest.Settings(plan.members(), plan.parameters(), rules,
                wf.getScheme() == dev.arbiter.proto.v1.FoldScheme.FOLD_SCHEME_EXPANDING, (int) wf.getTrainObservations(),
                test, step, gap, maxFolds, spec.getCostPerTurnover(), spec.getSeed());
        return new Setup(data, settings, plan.seriesId());
    }

    /** A walk-forward failure as a refusal naming the spec's field. */
    public static RequestRefused refusal(IllegalArgumentException e, Setup setup) {
        if (e.getMessage() != null && e.getMessage().startsWith("no fold fits")) {
            return invalid("spec.walk_forward", "spec.walk_forward: " + e.getMessage() + " (" + setup.data().rows()
                    + " labelled rows of \"" + setup.seriesId() + "\")");
        }
        return precondition("spec.members", "spec.members: a member cannot be trained on this data: " + e.getMessage());
    }

    public void run(BacktestSpec spec, Consumer<BacktestUpdate> emit) {
        long started = System.currentTimeMillis();
        Setup setup = setup(spec);
        Dataset data = setup.data();
        WalkForwardBacktest.Settings settings = setup.settings();
        String reportId = UUID.randomUUID().toString();
        WalkForwardBacktest.Result result;
        try {
            result = WalkForwardBacktest.run(data, settings, (fold, count) -> emit.accept(BacktestUpdate.newBuilder()
                    .setProgress(BacktestProgress.newBuilder()
                            .setReportId(reportId)
                            .setFoldsDone(fold.layout().index() + 1)
                            .setFoldCount(count)
                            .setFractionComplete((fold.layout().index() + 1.0) / count)
                            .setCompletedFold(BacktestProtoMapper.fold(fold))
                            .setMessage("fold " + (fold.layout().index() + 1) + " of " + count + ": " + fold.metrics().actionCount
                                    + " actions, pnl " + String.format(java.util.Locale.ROOT, "%.4f", fold.metrics().pnl)
                                    + ", best member " + dev.arbiter.service.ModelKindNames.shortName(fold.bestMember()))
                            .setElapsedMs(System.currentTimeMillis() - started))
                    .build()));
        } catch (IllegalArgumentException e) {
            throw refusal(e, setup);
        }
        BacktestReport.Builder report = BacktestReport.newBuilder()
                .setReportId(reportId)
                .setSpec(spec)
                .setTotal(BacktestProtoMapper.performance(result.total()))
                .setTotalModelMetrics(result.totalModelMetrics().toProto())
                .setFeatureSchemaId(data.featureSchemaId())
                .setParameterSetVersion(spec.getParameterSetVersion())
                .setRuleSetVersion(0)
                .setCreatedTsMicros(System.currentTimeMillis() * 1000)
                .setDurationMs(System.currentTimeMillis() - started);
        result.folds().forEach(f -> report.addFolds(BacktestProtoMapper.fold(f)));
        for (AblationVariant v : spec.getAblationVariantsList()) {
            String name = v.name().substring("ABLATION_VARIANT_".length());
            result.ablation().stream().filter(r -> r.variant().equals(name)).findFirst()
                    .ifPresent(r -> report.addAblation(BacktestProtoMapper.ablation(r)));
        }
        BacktestReport done = report.build();
        reports.saveBacktest(done, result.decisionPnl());
        emit.accept(BacktestUpdate.newBuilder().setReport(done).build());
    }

    Plan plan(BacktestSpec spec) {
        if (spec.getSeriesIdsCount() == 0) {
            throw invalid("spec.series_ids", "spec.series_ids is empty; name the series to backtest (import it first)");
        }
        if (spec.getSeriesIdsCount() > 1) {
            throw invalid("spec.series_ids", "spec.series_ids names " + spec.getSeriesIdsCount() + " series; this"
                    + " version backtests one series per call: run one backtest per series");
        }
        String seriesId = spec.getSeriesIds(0);
        if (seriesId.isBlank()) {
            throw invalid("spec.series_ids[0]", "spec.series_ids[0] is empty; name an imported series");
        }
        long start = spec.getRange().getStartTsMicros();
        long end = spec.getRange().getEndTsMicros();
        TimeRanges.check("spec.range", start, end);
        if (!spec.hasWalkForward()) {
            throw invalid("spec.walk_forward", "spec.walk_forward is not set; give at least train_observations and"
                    + " test_observations");
        }
        WalkForwardConfig wf = spec.getWalkForward();
        observations("spec.walk_forward.train_observations", wf.getTrainObservations());
        observations("spec.walk_forward.test_observations", wf.getTestObservations());
        observations("spec.walk_forward.step_observations", wf.getStepObservations());
        observations("spec.walk_forward.gap_observations", wf.getGapObservations());
        observations("spec.walk_forward.max_folds", wf.getMaxFolds());
        if (wf.getTrainObservations() < 2) {
            throw invalid("spec.walk_forward.train_observations", "spec.walk_forward.train_observations is "
                    + wf.getTrainObservations() + "; a model needs a training window of at least 2 observations");
        }
        if (wf.getTestObservations() < 1) {
            throw invalid("spec.walk_forward.test_observations", "spec.walk_forward.test_observations is 0; set the"
                    + " test window size (>= 1)");
        }
        if (!spec.hasLabel()) {
            throw invalid("spec.label", "spec.label is not set; choose forward_return_sign or threshold_event");
        }
        LabelDefinition label = LabelSpecs.definition(spec.getLabel(), "spec.label");
        if (spec.getMembersCount() == 0) {
            throw invalid("spec.members", "spec.members is empty; list the model kinds to train in each fold"
                    + " (predicting with a registered ensemble, spec.ensemble_name, is not supported by this version)");
        }
        if (spec.getMembersCount() > config.maxMembers()) {
            throw invalid("spec.members", "spec.members lists " + spec.getMembersCount() + " members; at most " + config.maxMembers()
                    + " are trained per fold");
        }
        List<ModelSettings> members = WalkForwardBacktest.members(spec.getMembersList());
        if (spec.getParameterSetVersion() != 0) {
            throw precondition("spec.parameter_set_version", "spec.parameter_set_version is "
                    + spec.getParameterSetVersion() + ", but this version of optimizer-service does not read"
                    + " decision-service's parameter sets: pass 0 (the engine defaults) with spec.parameter_overrides");
        }
        PolicyParameters parameters;
        try {
            parameters = PolicyParameters.defaults().with(doubles(spec.getParameterOverridesMap()));
        } catch (IllegalArgumentException e) {
            throw invalid("spec.parameter_overrides", "spec.parameter_overrides: " + e.getMessage());
        }
        if (spec.getRulesCase() == BacktestSpec.RulesCase.RULE_SET_VERSION) {
            throw precondition("spec.rule_set_version", "spec.rule_set_version: this version of optimizer-service does not read"
                    + " decision-service's rule sets; give the rules inline in spec.inline_rule_set");
        }
        List<RuleDefinition> rules = new ArrayList<>();
        if (spec.hasInlineRuleSet()) {
            for (Rule r : spec.getInlineRuleSet().getRulesList()) {
                RuleKind kind = switch (r.getKind()) {
                    case RULE_KIND_GATE -> RuleKind.GATE;
                    case RULE_KIND_SIZING -> RuleKind.SIZING;
                    default -> null;
                };
                rules.add(new RuleDefinition(r.getRuleId(), r.getExpression(), kind, r.getDescription()));
            }
        }
        for (int i = 0; i < spec.getAblationVariantsCount(); i++) {
            AblationVariant v = spec.getAblationVariants(i);
            if (v == AblationVariant.ABLATION_VARIANT_UNSPECIFIED || v == AblationVariant.UNRECOGNIZED) {
                String field = "spec.ablation_variants[" + i + "]";
                throw invalid(field, field + " is " + (v == AblationVariant.UNRECOGNIZED ? "the unknown value "
                        + spec.getAblationVariantsValue(i) : "not set") + "; choose ABLATION_VARIANT_SINGLE_MODEL_THRESHOLD,"
                        + " ABLATION_VARIANT_ENSEMBLE or ABLATION_VARIANT_ENSEMBLE_GATED_RISK");
            }
        }
        double cost = spec.getCostPerTurnover();
        if (!(cost >= 0) || !Double.isFinite(cost)) {
            throw invalid("spec.cost_per_turnover", "spec.cost_per_turnover is " + cost + "; give a finite fraction >= 0,"
                    + " e.g. 0.0002 for 2 bps");
        }
        return new Plan(seriesId, start, end, label, members, parameters, rules, wf);
    }

    /** A uint32 count arrives as a Java int: above Integer.MAX_VALUE it is negative. */
    private static void observations(String field, int value) {
        if (value < 0) {
            throw invalid(field, field + " is " + Integer.toUnsignedString(value) + "; send at most " + Integer.MAX_VALUE);
        }
    }

    static Map<String, Double> doubles(Map<String, ParameterValue> values) {
        Map<String, Double> m = new HashMap<>();
        values.forEach((k, v) -> m.put(k, switch (v.getKindCase()) {
            case DOUBLE_VALUE -> v.getDoubleValue();
            case INT_VALUE -> (double) v.getIntValue();
            default -> throw invalid("spec.parameter_overrides[" + k + "]", "spec.parameter_overrides[" + k
                    + "]: a policy parameter needs a number (double_value or int_value)");
        }));
        return m;
    }
}
