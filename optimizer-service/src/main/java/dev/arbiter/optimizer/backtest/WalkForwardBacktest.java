package dev.arbiter.optimizer.backtest;

import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.simulation.PolicySimulation;
import dev.arbiter.engine.simulation.SimulationData;
import dev.arbiter.engine.simulation.SimulationMetrics;
import dev.arbiter.engine.simulation.Simulator;
import dev.arbiter.engine.simulation.WalkForwardFolds;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.training.ModelSettings;
import dev.arbiter.optimizer.training.ModelTrainer;
import dev.arbiter.optimizer.training.ProbabilityMetrics;
import dev.arbiter.optimizer.training.ProgressListener;
import dev.arbiter.optimizer.training.TrainedModel;
import dev.arbiter.optimizer.training.TrainingData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A walk-forward backtest of one series: in each fold the members are trained on the training window (its last
 * part held out, after an embargo, to pick the single best member by Brier score), predict the test window out of
 * sample, and the decision policy runs over the test windows, through the engine's {@link PolicySimulation}
 * (the code decision-service runs live). The ablation compares, over the concatenated test windows, the single
 * best member with a plain threshold, the ensemble with a plain threshold, and the full policy; each plain
 * threshold is the one whose wins match the full policy's as closely as the data allows (at equal or more wins where
 * possible), and the rows are compared on their losing (false-positive) actions.
 */
public final class WalkForwardBacktest {

    /** Share of a fold's training window held out to choose the single best member. */
    static final double SELECTION_FRACTION = 0.2;

    /** Everything a run needs. */
    public record Settings(List<ModelSettings> members, PolicyParameters parameters, CompiledRuleSet rules,
                           boolean expanding, int train, int test, int step, int gap, int maxFolds,
                           double costPerTurnover, long seed) {
    }

    /** Progress reported after every fold. */
    public interface Listener {
        void foldDone(Fold fold, int foldCount);

        /** True when the run should stop. */
        default boolean cancelled() {
            return false;
        }
    }

    /** One fold's result. */
    public record Fold(WalkForwardFolds.Fold layout, long trainStartTs, long trainEndTs, long testStartTs, long testEndTs,
                       SimulationMetrics metrics, ProbabilityMetrics modelMetrics, String bestMember) {
    }

    /** One row of the ablation table. */
    public record AblationRow(String variant, String name, SimulationMetrics total, List<SimulationMetrics> folds,
                              double threshold) {
    }

    /** The whole result: folds, totals, the ablation table and the per-decision pnl of the full policy. */
    public record Result(List<Fold> folds, SimulationMetrics total, ProbabilityMetrics totalModelMetrics,
                         List<AblationRow> ablation, double[] decisionPnl, double[] testProbabilities,
                         int[] testLabels, long[] testTsMicros, int[] testDirections) {
    }

    private WalkForwardBacktest() {
    }

    /**
     * The members' out-of-sample predictions over every fold's test window, concatenated, with what the policy reads
     * beside them: computed once (the members are trained per fold), then the policy can be run over them with any
     * parameters ({@link #evaluate}), which is what a study's trials do.
     */
    public record Prepared(Dataset data, List<WalkForwardFolds.Fold> layout, int[] foldStart, double[] ensemble,
                           double[] agreement, double[] best, double[] volatility, double[] trend, double[] forward,
                           double[] features, int[] labels, long[] ts, String[] bestNames,
                           ProbabilityMetrics[] foldModelMetrics, double costPerTurnover, double[] meta) {

        public int testRows() {
            return ensemble.length;
        }

        public int cols() {
            return data.cols();
        }

        /** The policy's data over test rows [from, to). */
        public SimulationData simulationData(int from, int to) {
            return new SimulationData(Arrays.copyOfRange(ensemble, from, to), Arrays.copyOfRange(agreement, from, to),
                    Arrays.copyOfRange(volatility, from, to), Arrays.copyOfRange(trend, from, to), null,
                    Arrays.copyOfRange(forward, from, to), data.horizon(), costPerTurnover,
                    Arrays.copyOfRange(meta, from, to));
        }

        /** The full policy with these parameters and rules over test rows [from, to). */
        public PolicySimulation.Trace simulate(PolicyParameters parameters, CompiledRuleSet rules, int from, int to) {
            return PolicySimulation.run(simulationData(from, to), parameters, rules,
                    Arrays.copyOfRange(features, from * cols(), to * cols()), cols());
        }
    }

    /** Hook called after each fold's predictions are in (index, first and end test row in the concatenation). */
    public interface FoldPredicted {
        void done(Prepared prepared, WalkForwardFolds.Fold fold, int from, int to);
    }

    public static Result run(Dataset data, Settings s, Listener listener) {
        List<SimulationMetrics> fullFolds = new ArrayList<>();
        List<Fold> folds = new ArrayList<>();
        Prepared p = prepare(data, s, listener, (prepared, f, from, to) -> {
            SimulationMetrics foldMetrics = prepared.simulate(s.parameters(), s.rules(), from, to).metrics();
            Fold done = new Fold(f, data.tsMicros()[f.trainStart()], data.tsMicros()[f.trainEnd() - 1] + 1,
                    data.tsMicros()[f.testStart()], data.tsMicros()[f.testEnd() - 1] + 1, foldMetrics,
                    prepared.foldModelMetrics()[f.index()], prepared.bestNames()[f.index()]);
            folds.add(done);
            fullFolds.add(foldMetrics);
            listener.foldDone(done, prepared.layout().size());
        });
        PolicySimulation.Trace full = p.simulate(s.parameters(), s.rules(), 0, p.testRows());
        long fullWins = full.metrics().truePositiveActions;
        List<AblationRow> ablation = new ArrayList<>();
        ablation.add(thresholdRow("SINGLE_MODEL_THRESHOLD", "single best model + threshold", p.best(), p.forward(),
                p.foldStart(), p.layout().size(), data.horizon(), s, fullWins));
        ablation.add(thresholdRow("ENSEMBLE", "ensemble + threshold", p.ensemble(), p.forward(), p.foldStart(),
                p.layout().size(), data.horizon(), s, fullWins));
        ablation.add(new AblationRow("ENSEMBLE_GATED_RISK", "ensemble + confidence gates, rules and risk sizing",
                full.metrics(), fullFolds, s.parameters().get(PolicyParameter.GATE_MIN_EDGE)));
        PolicyParameters gated = withLearnedGate(s.parameters());
        List<SimulationMetrics> gatedFolds = new ArrayList<>();
        for (int f = 0; f < p.layout().size(); f++) {
            gatedFolds.add(p.simulate(gated, s.rules(), p.foldStart()[f], p.foldStart()[f + 1]).metrics());
        }
        ablation.add(new AblationRow("ENSEMBLE_GATED_RISK_LEARNED_GATE", String.format(java.util.Locale.ROOT,
                "the same + learned gate (meta model, q >= %.2f)", gated.get(PolicyParameter.META_MIN_PROBABILITY)),
                p.simulate(gated, s.rules(), 0, p.testRows()).metrics(), gatedFolds,
                gated.get(PolicyParameter.META_MIN_PROBABILITY)));
        return new Result(folds, full.metrics(), ProbabilityMetrics.of(p.ensemble(), p.labels()), ablation, full.pnl(),
                p.ensemble(), p.labels(), p.ts(), full.direction());
    }

    /**
     * Trains the members fold by fold and predicts each test window out of sample; {@code predicted} is called as
     * each fold's rows are in (the arrays of the answer are filled up to that fold).
     */
    public static Prepared prepare(Dataset data, Settings s, Listener listener, FoldPredicted predicted) {
        int volatilityColumn = column(data, data.schema().volatilityFeature(), "volatility");
        int trendColumn = column(data, data.schema().trendStrengthFeature(), "trend strength");
        List<WalkForwardFolds.Fold> layout = WalkForwardFolds.layout(data.rows(), s.expanding(), s.train(), s.test(),
                s.step(), s.gap(), s.maxFolds());
        int testRows = 0;
        for (WalkForwardFolds.Fold f : layout) {
            testRows += f.testSize();
        }
        int members = s.members().size();
        int cols = data.cols();
        // The concatenated test windows: each fold's rows predicted by that fold's own models.
        double[] ensemble = new double[testRows];
        double[] agreement = new double[testRows];
        double[] best = new double[testRows];
        double[] volatility = new double[testRows];
        double[] trend = new double[testRows];
        double[] forward = new double[testRows];
        double[] features = new double[testRows * cols];
        int[] labels = new int[testRows];
        long[] ts = new long[testRows];
        int[] foldStart = new int[layout.size() + 1];
        String[] bestNames = new String[layout.size()];
        ProbabilityMetrics[] foldModelMetrics = new ProbabilityMetrics[layout.size()];
        double[] meta = new double[testRows];
        Prepared prepared = new Prepared(data, layout, foldStart, ensemble, agreement, best, volatility, trend, forward,
                features, labels, ts, bestNames, foldModelMetrics, s.costPerTurnover(), meta);

        int at = 0;
        for (WalkForwardFolds.Fold f : layout) {
            if (listener.cancelled()) {
                throw new dev.arbiter.optimizer.training.TrainingCancelled();
            }
            foldStart[f.index()] = at;
            int fitEnd = f.trainEnd() - Math.max(1, (int) Math.round(f.trainSize() * SELECTION_FRACTION));
            int selectStart = Math.min(fitEnd + data.horizon(), f.trainEnd());
            double[] testX = Arrays.copyOfRange(data.x(), f.testStart() * cols, f.testEnd() * cols);
            int[] selectY = Arrays.copyOfRange(data.labels(), selectStart, f.trainEnd());
            double[] selectX = Arrays.copyOfRange(data.x(), selectStart * cols, f.trainEnd() * cols);
            double[][] memberP = new double[members][];
            double[][] memberSelectP = new double[members][];
            double[] brier = new double[members];
            int bestMember = 0;
            for (int m = 0; m < members; m++) {
                TrainingData fit = new TrainingData(Arrays.copyOfRange(data.x(), f.trainStart() * cols, fitEnd * cols),
                        fitEnd - f.trainStart(), cols, Arrays.copyOfRange(data.labels(), f.trainStart(), fitEnd),
                        data.horizon());
                try (TrainedModel model = ModelTrainer.train(s.members().get(m), fit, null, s.seed() + m,
                        ProgressListener.NONE)) {
                    memberP[m] = model.predict(testX, f.testSize());
                    if (selectY.length > 0) {
                        memberSelectP[m] = model.predict(selectX, selectY.length);
                        brier[m] = ProbabilityMetrics.of(memberSelectP[m], selectY).brierScore();
                        if (brier[m] < brier[bestMember]) {
                            bestMember = m;
                        }
                    }
                }
            }
            bestNames[f.index()] = s.members().get(bestMember).kind().name();
            double[] weights = skillWeights(brier, selectY);
            PlattScaling calibration = CALIBRATE ? calibration(memberSelectP, weights, selectY) : PlattScaling.IDENTITY;
            for (int i = 0; i < f.testSize(); i++) {
                int row = f.testStart() + i;
                ensemble[at + i] = calibration.apply(mean(memberP, weights, i));
                agreement[at + i] = agreement(memberP, weights, i, ensemble[at + i]);
                best[at + i] = memberP[bestMember][i];
                volatility[at + i] = data.x()[row * cols + volatilityColumn];
                trend[at + i] = data.x()[row * cols + trendColumn];
                forward[at + i] = data.forwardReturns()[row];
                labels[at + i] = data.labels()[row];
                ts[at + i] = data.tsMicros()[row];
            }
            System.arraycopy(testX, 0, features, at * cols, testX.length);
            MetaModel.fitAndPredict(data, selectStart, f.trainEnd(), memberSelectP, weights, calibration, testX, ensemble, agreement, at,
                    f.testSize(), s.seed() + members, meta);
            foldModelMetrics[f.index()] = ProbabilityMetrics.of(Arrays.copyOfRange(ensemble, at, at + f.testSize()),
                    Arrays.copyOfRange(labels, at, at + f.testSize()));
            int from = at;
            at += f.testSize();
            foldStart[f.index() + 1] = at;
            predicted.done(prepared, f, from, at);
        }
        return prepared;
    }

    /**
     * A per-fold Platt scaling of the ensemble ({@link PlattScaling}), off: measured with
     * {@code -Darbiter.backtest.calibrate=true} in optimizer-service/README.md ("Decision quality, out of sample"), it
     * cut the ensemble's calibration error on three of four series but did not make the tuned policy's decisions
     * better, and made them worse where the models have no edge. Kept to reproduce that measurement.
     */
    static final boolean CALIBRATE = Boolean.getBoolean("arbiter.backtest.calibrate");

    /** The fold's Platt scaling of the weighted ensemble, fitted on the selection rows (identity without them). */
    static PlattScaling calibration(double[][] memberSelectP, double[] weights, int[] selectY) {
        if (selectY.length == 0 || memberSelectP[0] == null) {
            return PlattScaling.IDENTITY;
        }
        double[] p = new double[selectY.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = mean(memberSelectP, weights, i);
        }
        return PlattScaling.fit(p, selectY);
    }

    /** The learned gate's threshold in the ablation when the parameters leave the gate off: q ≥ 0.5, "more likely right". */
    static final double ABLATION_META_MIN_PROBABILITY = 0.5;

    /** {@code parameters} with the learned gate on: as they set it, or at {@link #ABLATION_META_MIN_PROBABILITY}. */
    static PolicyParameters withLearnedGate(PolicyParameters parameters) {
        return parameters.get(PolicyParameter.META_MIN_PROBABILITY) > 0 ? parameters
                : parameters.with(PolicyParameter.META_MIN_PROBABILITY, ABLATION_META_MIN_PROBABILITY);
    }

    /**
     * The members' weights in a fold, from their skill on the fold's selection rows (out of sample for them): each
     * member's Brier skill score against always answering the selection rows' base rate, {@code 1 - brier / brier0},
     * squared, floored at 0; equal weights when no member has skill or there are no selection rows. Squaring lets a
     * clearly better member dominate (on electricity demand the best member's plain threshold has a fifth of the
     * equal-weight mean's false positives) while members of equal skill share equally.
     *
     * @param brier   each member's Brier score on the selection rows
     * @param selectY the selection rows' labels (none: equal weights)
     */
    static double[] skillWeights(double[] brier, int[] selectY) {
        int members = brier.length;
        double[] w = new double[members];
        double sum = 0;
        if (selectY.length > 0) {
            double rate = Arrays.stream(selectY).average().orElse(0.5);
            double brier0 = rate * (1 - rate);
            for (int m = 0; m < members; m++) {
                double skill = brier0 > 0 ? 1 - brier[m] / brier0 : 0;
                w[m] = skill > 0 ? skill * skill : 0;
                sum += w[m];
            }
        }
        for (int m = 0; m < members; m++) {
            w[m] = sum > 0 ? w[m] / sum : 1.0 / members;
        }
        return w;
    }

    /** The ensemble's probability at row {@code i}: the members' weighted mean. */
    static double mean(double[][] memberP, double[] weights, int i) {
        double mean = 0;
        for (int m = 0; m < memberP.length; m++) {
            mean += weights[m] * memberP[m][i];
        }
        return Math.min(1, Math.max(0, mean)); // the weights' sum can round a hair past 1
    }

    /** The weighted share of members on the ensemble's side of 0.5 at row {@code i}, as model-service computes it. */
    static double agreement(double[][] memberP, double[] weights, int i, double mean) {
        double agreeing = 0;
        for (int m = 0; m < memberP.length; m++) {
            agreeing += (memberP[m][i] >= 0.5) == (mean >= 0.5) ? weights[m] : 0;
        }
        return Math.min(1, agreeing);
    }

    /**
     * A plain-threshold row whose wins match the full policy's as closely as the data allows: every distinct edge
     * {@code |p - 0.5|} in the test windows is a threshold at which the row's actions change, so all of them (at most
     * {@link #MAX_THRESHOLDS}, by quantile, beyond that) are tried, and the row takes the threshold whose wins are
     * the fewest that still reach the full policy's (the most when none reaches it), breaking ties by fewer
     * actions. Its false positives are then compared at equal or more wins.
     */
    private static AblationRow thresholdRow(String variant, String name, double[] p, double[] forward, int[] foldStart,
                                            int folds, int horizon, Settings s, long targetWins) {
        double[] agreementOne = new double[p.length];
        Arrays.fill(agreementOne, 1);
        double[] unused = new double[p.length]; // a plain threshold reads neither volatility nor trend
        SimulationData all = new SimulationData(p, agreementOne, unused, unused, null, forward, horizon,
                s.costPerTurnover());
        Simulator simulator = new Simulator(all);
        PolicyParameters p0 = s.parameters().with(PolicyParameter.GATE_MIN_EDGE,
                matchedEdge(p, simulator, s.parameters(), targetWins));
        SimulationMetrics total = new SimulationMetrics();
        simulator.run(p0, Simulator.Mode.PLAIN_THRESHOLD, simulator.newScratch(), total);
        List<SimulationMetrics> perFold = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            int from = foldStart[f];
            int to = foldStart[f + 1];
            Simulator fs = new Simulator(new SimulationData(Arrays.copyOfRange(p, from, to),
                    Arrays.copyOfRange(agreementOne, from, to), Arrays.copyOfRange(unused, from, to),
                    Arrays.copyOfRange(unused, from, to), null, Arrays.copyOfRange(forward, from, to), horizon,
                    s.costPerTurnover()));
            SimulationMetrics m = new SimulationMetrics();
            fs.run(p0, Simulator.Mode.PLAIN_THRESHOLD, fs.newScratch(), m);
            perFold.add(m);
        }
        double threshold = p0.get(PolicyParameter.GATE_MIN_EDGE);
        return new AblationRow(variant, String.format(java.util.Locale.ROOT, "%s (|p - 0.5| >= %.6f, size %.2f)", name,
                threshold, s.parameters().get(PolicyParameter.RISK_MAX_SIZE)), total, perFold, threshold);
    }

    /**
     * The edge threshold at which a plain threshold over {@code p} (simulated by {@code simulator}, built on the same
     * rows) wins the fewest actions that still reach {@code targetWins} (the most when none does), ties broken by
     * fewer actions: every distinct edge of the data is tried ({@link #candidateEdges}).
     */
    public static double matchedEdge(double[] p, Simulator simulator, PolicyParameters base, long targetWins) {
        double[] edges = candidateEdges(p);
        int chosen = 0;
        long chosenWins = -1;
        long chosenActions = Long.MAX_VALUE;
        SimulationMetrics probe = new SimulationMetrics();
        Simulator.Scratch scratch = simulator.newScratch();
        for (int i = 0; i < edges.length; i++) {
            simulator.run(base.with(PolicyParameter.GATE_MIN_EDGE, edges[i]), Simulator.Mode.PLAIN_THRESHOLD, scratch, probe);
            long wins = probe.truePositiveActions;
            boolean better;
            if (chosenWins < 0) {
                better = true;
            } else if ((wins >= targetWins) != (chosenWins >= targetWins)) {
                better = wins >= targetWins;
            } else if (wins != chosenWins) {
                better = wins >= targetWins ? wins < chosenWins : wins > chosenWins;
            } else {
                better = probe.actionCount < chosenActions;
            }
            if (better) {
                chosen = i;
                chosenWins = wins;
                chosenActions = probe.actionCount;
            }
        }
        return edges[chosen];
    }

    /** Most thresholds a plain-threshold row tries (every distinct edge up to this many, else their quantiles). */
    static final int MAX_THRESHOLDS = 4_000;

    /** 0 and every distinct |p - 0.5| of the rows (NaN left out), ascending; quantiles of them past MAX_THRESHOLDS. */
    static double[] candidateEdges(double[] p) {
        double[] edges = Arrays.stream(p).filter(Double::isFinite).map(x -> Math.abs(x - 0.5)).sorted().distinct().toArray();
        if (edges.length > MAX_THRESHOLDS) {
            double[] q = new double[MAX_THRESHOLDS];
            for (int i = 0; i < MAX_THRESHOLDS; i++) {
                q[i] = edges[(int) ((long) i * (edges.length - 1) / (MAX_THRESHOLDS - 1))];
            }
            edges = q;
        }
        if (edges.length == 0 || edges[0] > 0) {
            double[] withZero = new double[edges.length + 1];
            System.arraycopy(edges, 0, withZero, 1, edges.length);
            edges = withZero;
        }
        return edges;
    }

    /** The column of the feature the policy reads as {@code role}, found by role in the dataset's schema. */
    private static int column(Dataset data, String name, String role) {
        int i = name == null ? -1 : data.featureNames().indexOf(name);
        if (i < 0) {
            throw new IllegalStateException("schema " + data.featureSchemaId() + " has no " + role
                    + " feature for the policy; configure at least one arbiter.features.windows.volatility window");
        }
        return i;
    }

    /** Turns settings of a proto-level member list into checked ModelSettings (field "spec.members[i]"). */
    public static List<ModelSettings> members(List<dev.arbiter.proto.v1.ModelTrainingConfig> configs) {
        List<ModelSettings> list = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            list.add(ModelSettings.of(configs.get(i), "spec.members[" + i + "]"));
        }
        return list;
    }
}
