package dev.arbiter.optimizer.study;

import static dev.arbiter.service.RequestRefused.precondition;

import com.google.protobuf.Descriptors;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.simulation.PolicySimulation;
import dev.arbiter.engine.simulation.SimulationMetrics;
import dev.arbiter.engine.simulation.Simulator;
import dev.arbiter.engine.stats.BlockBootstrap;
import dev.arbiter.engine.study.CategoricalDistribution;
import dev.arbiter.engine.study.Distribution;
import dev.arbiter.optimizer.backtest.BacktestProtoMapper;
import dev.arbiter.optimizer.backtest.WalkForwardBacktest;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.StressTestConfig;
import dev.arbiter.proto.v1.StudyObjective;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How RunTrials evaluates one trial: the walk-forward backtest of the study's evaluation, with the trial's values
 * for the policy parameters, over test-window predictions computed once ({@link WalkForwardBacktest.Prepared}). Each
 * fold is one step (its objective value is the intermediate value the pruner reads); the objectives are measured over
 * all test windows together, as a backtest's total. Without rules the engine's allocation-free {@link Simulator}
 * runs (vectorized across trials is not needed: one trial is one simulation per fold and one over all); with rules,
 * {@link PolicySimulation}.
 */
final class TrialEvaluation {

    /** "stress.&lt;metric&gt;.p&lt;percentile&gt;", e.g. stress.sharpe.p05. */
    private static final Pattern STRESS = Pattern.compile("stress\\.(pnl|sharpe|max_drawdown)\\.p(\\d{1,2}(?:\\.\\d+)?|100)");

    /** One objective: a PerformanceMetrics field of the total, or a stress percentile. */
    record Objective(Descriptors.FieldDescriptor field, int stressStatistic, double percentile) {
        boolean stress() {
            return field == null;
        }
    }

    /** One evaluated trial: per-fold values of the first objective, and every objective's value (empty when pruned). */
    record Outcome(List<Double> foldValues, List<Double> values, boolean pruned) {
    }

    /** Asks whether to stop after a fold, given the first objective's values so far. */
    interface PruneCheck {
        boolean stop(List<Double> foldValuesSoFar);
    }

    private final WalkForwardBacktest.Prepared prepared;
    private final PolicyParameters base;
    private final CompiledRuleSet rules;
    private final List<Objective> objectives;
    private final StressTestConfig stress;
    private final Simulator[] folds;
    private final Simulator all;

    TrialEvaluation(WalkForwardBacktest.Prepared prepared, PolicyParameters base, CompiledRuleSet rules,
                    List<Objective> objectives, StressTestConfig stress) {
        this.prepared = prepared;
        this.base = base;
        this.rules = rules;
        this.objectives = objectives;
        this.stress = stress;
        int n = prepared.layout().size();
        this.folds = new Simulator[n];
        for (int f = 0; f < n; f++) {
            folds[f] = new Simulator(prepared.simulationData(prepared.foldStart()[f], prepared.foldStart()[f + 1]));
        }
        this.all = new Simulator(prepared.simulationData(0, prepared.testRows()));
    }

    /**
     * Checks that the study fits an evaluation: every search-space name is a numeric policy parameter and every
     * objective names something measured. FAILED_PRECONDITION naming the study's field otherwise.
     */
    static List<Objective> check(StudyDefinition d) {
        for (Map.Entry<String, Distribution> e : d.space().distributions().entrySet()) {
            String field = "study.search_space[\"" + e.getKey() + "\"]";
            if (PolicyParameter.byKey(e.getKey()) == null) {
                throw precondition(field, field + " is not a policy parameter, so RunTrials cannot set it (member"
                        + " hyperparameters are not tuned by this version); name policy parameters such as gate.min_edge,"
                        + " or run the study by Ask and Tell");
            }
            if (e.getValue() instanceof CategoricalDistribution) {
                throw precondition(field, field + " is categorical, but policy parameter " + e.getKey()
                        + " is a number; give it a float or int distribution");
            }
        }
        List<Objective> out = new ArrayList<>();
        for (int i = 0; i < d.study().getObjectivesCount(); i++) {
            StudyObjective o = d.study().getObjectives(i);
            String field = "study.objectives[" + i + "].name";
            Matcher m = STRESS.matcher(o.getName());
            if (m.matches()) {
                if (!d.study().getEvaluation().hasStress()) {
                    throw precondition(field, field + " \"" + o.getName() + "\" is a stress percentile, but the study's"
                            + " evaluation has no stress configuration; set evaluation.stress or measure the backtest total");
                }
                int statistic = switch (m.group(1)) {
                    case "pnl" -> BlockBootstrap.PNL;
                    case "sharpe" -> BlockBootstrap.SHARPE;
                    default -> BlockBootstrap.MAX_DRAWDOWN;
                };
                out.add(new Objective(null, statistic, Double.parseDouble(m.group(2))));
                continue;
            }
            Descriptors.FieldDescriptor f = PerformanceMetrics.getDescriptor().findFieldByName(o.getName());
            if (f == null) {
                List<String> names = PerformanceMetrics.getDescriptor().getFields().stream().map(Descriptors.FieldDescriptor::getName).toList();
                throw precondition(field, field + " \"" + o.getName() + "\" is not measured; name a PerformanceMetrics field ("
                        + String.join(", ", names) + ") or a stress percentile such as stress.sharpe.p05");
            }
            out.add(new Objective(f, 0, 0));
        }
        return out;
    }

    /** Evaluates one trial; throws IllegalArgumentException when its parameters are inconsistent. */
    Outcome evaluate(Map<String, Double> params, PruneCheck prune) {
        PolicyParameters p = base.with(params);
        List<Double> foldValues = new ArrayList<>(folds.length);
        SimulationMetrics m = new SimulationMetrics();
        Objective first = objectives.get(0);
        for (int f = 0; f < folds.length; f++) {
            if (first.stress()) {
                break; // a stress percentile has no per-fold value
            }
            foldValues.add(value(first, metrics(f, p, m)));
            if (prune.stop(foldValues)) {
                return new Outcome(foldValues, List.of(), true);
            }
        }
        double[] pnl = null;
        if (rules.isEmpty()) {
            all.run(p, Simulator.Mode.FULL_POLICY, all.newScratch(), m);
        } else {
            PolicySimulation.Trace trace = prepared.simulate(p, rules, 0, prepared.testRows());
            m = trace.metrics();
            pnl = trace.pnl();
        }
        List<Double> values = new ArrayList<>(objectives.size());
        double[] resampled = null;
        for (Objective o : objectives) {
            if (!o.stress()) {
                values.add(value(o, m));
                continue;
            }
            if (resampled == null) {
                if (pnl == null) {
                    pnl = prepared.simulate(p, rules, 0, prepared.testRows()).pnl();
                }
                resampled = BlockBootstrap.resample(pnl, stress.getMeanBlockLengthDecisions() > 0
                        ? stress.getMeanBlockLengthDecisions() : 20, stress.getResamples() > 0 ? stress.getResamples() : 1000,
                        stress.getSeed());
            }
            values.add(BlockBootstrap.percentile(BlockBootstrap.sortedColumn(resampled, o.stressStatistic()), o.percentile()));
        }
        return new Outcome(foldValues, values, false);
    }

    private SimulationMetrics metrics(int fold, PolicyParameters p, SimulationMetrics reuse) {
        if (rules.isEmpty()) {
            folds[fold].run(p, Simulator.Mode.FULL_POLICY, folds[fold].newScratch(), reuse);
            return reuse;
        }
        return prepared.simulate(p, rules, prepared.foldStart()[fold], prepared.foldStart()[fold + 1]).metrics();
    }

    private static double value(Objective o, SimulationMetrics m) {
        Object v = BacktestProtoMapper.performance(m).getField(o.field());
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
