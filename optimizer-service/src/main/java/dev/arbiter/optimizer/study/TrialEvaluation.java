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
 * runs, the trials a worker holds together ({@link #evaluateAll}) through {@link Simulator#runAll}: several
 * simulations per SIMD instruction when the JVM has {@code jdk.incubator.vector} ({@link Simulator#VECTORIZED}),
 * bit for bit the numbers of one simulation at a time. With rules, {@link PolicySimulation}, one trial at a time.
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
     * Checks that the study fits an evaluation: every search-space name is a numeric policy parameter or a member
     * hyperparameter ({@link MemberTuning#check}) and every objective names something measured. FAILED_PRECONDITION naming the study's field otherwise.
     */
    static List<Objective> check(StudyDefinition d) {
        for (Map.Entry<String, Distribution> e : d.space().distributions().entrySet()) {
            String field = "study.search_space[\"" + e.getKey() + "\"]";
            if (MemberTuning.isMember(e.getKey())) {
                MemberTuning.check(e.getKey(), e.getValue(), d.study().getEvaluation().getBacktest().getMembersList());
                continue;
            }
            if (PolicyParameter.byKey(e.getKey()) == null) {
                throw precondition(field, field + " is neither a policy parameter nor a member hyperparameter, so RunTrials"
                        + " cannot set it; name policy parameters such as gate.min_edge, member hyperparameters such as"
                        + " members[0].max_depth, or run the study by Ask and Tell");
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

    /** One trial of a batch: its values, its prune check, and (once evaluated) its outcome or why it failed. */
    static final class Candidate {
        final Map<String, Double> params;
        final PruneCheck prune;
        Outcome outcome;
        /** The policy's reason for refusing these parameters; null when they were evaluated. */
        String refused;

        Candidate(Map<String, Double> params, PruneCheck prune) {
            this.params = params;
            this.prune = prune;
        }
    }

    /**
     * Evaluates several trials, each with the outcome {@link #evaluate} gives it (or the reason the policy refused its
     * parameters): without rules and with a measured first objective, fold by fold for all still-running trials at
     * once through {@link Simulator#runAll}, then the total for those not pruned; otherwise one after another.
     */
    void evaluateAll(List<Candidate> batch) {
        if (!rules.isEmpty() || objectives.get(0).stress()) {
            for (Candidate c : batch) {
                try {
                    c.outcome = evaluate(c.params, c.prune);
                } catch (IllegalArgumentException e) {
                    c.refused = e.getMessage();
                }
            }
            return;
        }
        List<Candidate> live = new ArrayList<>(batch.size());
        List<PolicyParameters> ps = new ArrayList<>(batch.size());
        for (Candidate c : batch) {
            try {
                ps.add(base.with(c.params));
                live.add(c);
            } catch (IllegalArgumentException e) {
                c.refused = e.getMessage();
            }
        }
        List<List<Double>> foldValues = new ArrayList<>(live.size());
        live.forEach(c -> foldValues.add(new ArrayList<>(folds.length)));
        SimulationMetrics m = new SimulationMetrics();
        Objective first = objectives.get(0);
        for (int f = 0; f < folds.length && !live.isEmpty(); f++) {
            double[] results = folds[f].runAll(ps.toArray(PolicyParameters[]::new), Simulator.Mode.FULL_POLICY);
            for (int k = live.size() - 1; k >= 0; k--) { // backwards: a pruned trial leaves the lists
                List<Double> values = foldValues.get(k);
                values.add(value(first, m.readFrom(results, k * SimulationMetrics.FIELDS)));
                if (live.get(k).prune.stop(values)) {
                    live.get(k).outcome = new Outcome(values, List.of(), true);
                    live.remove(k);
                    ps.remove(k);
                    foldValues.remove(k);
                }
            }
        }
        if (live.isEmpty()) {
            return;
        }
        double[] totals = all.runAll(ps.toArray(PolicyParameters[]::new), Simulator.Mode.FULL_POLICY);
        for (int k = 0; k < live.size(); k++) {
            m.readFrom(totals, k * SimulationMetrics.FIELDS);
            live.get(k).outcome = new Outcome(foldValues.get(k), values(ps.get(k), m, null), false);
        }
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
        return new Outcome(foldValues, values(p, m, pnl), false);
    }

    /**
     * Every objective's value for parameters {@code p} whose total over all test windows is {@code m}; {@code pnl},
     * the per-decision pnl over them, when already simulated (null: simulated here if a stress percentile needs it).
     */
    private List<Double> values(PolicyParameters p, SimulationMetrics m, double[] pnl) {
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
        return values;
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
