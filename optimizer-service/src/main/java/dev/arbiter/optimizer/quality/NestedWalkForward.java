package dev.arbiter.optimizer.quality;

import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.simulation.SimulationData;
import dev.arbiter.engine.simulation.SimulationMetrics;
import dev.arbiter.engine.simulation.Simulator;
import dev.arbiter.engine.stats.BlockBootstrap;
import dev.arbiter.engine.study.Direction;
import dev.arbiter.engine.study.Distribution;
import dev.arbiter.engine.study.TpeSampler;
import dev.arbiter.engine.study.Trial;
import dev.arbiter.optimizer.backtest.WalkForwardBacktest;
import dev.arbiter.optimizer.training.ProbabilityMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Nested walk-forward: the policy is tuned (TPE) on the earlier folds' test windows only, and the tuned parameters
 * are then measured on the later folds, which the tuning never read. On those unseen folds it answers five rows: the
 * tuned policy (its space holds the learned gate's parameters, so tuning can switch the gate on), the policy tuned
 * without them, the default policy, and the single best model and the ensemble each with a plain threshold whose wins
 * match the tuned policy's as closely as the data allows; each with stationary-block-bootstrap intervals, and the
 * paired interval of the false-positive reduction of the tuned policy against the single model.
 */
public final class NestedWalkForward {

    /** What the tuning maximises on the earlier folds. */
    public enum Objective {
        /** Precision, shrunk in proportion when the policy acts on fewer than {@code minActionShare} of the rows. */
        PRECISION,
        /** Sharpe ratio of per-decision pnl. */
        SHARPE
    }

    /**
     * The run's settings.
     *
     * @param minEdgeAuc the edge check: the tuned rows stay out of the unseen folds (risk.max_size 0) unless the
     *                   ensemble's AUC over the tuning folds' test windows is at least this and the 5th percentile of
     *                   its block-bootstrap distribution is above 0.5; 0 turns the check off
     */
    public record Settings(int unseenFolds, Map<String, Distribution> space, Map<String, Distribution> learnedGateSpace,
                           int trials, long seed, Objective objective, double minActionShare, int resamples,
                           double meanBlockLength, double minEdgeAuc) {
    }

    /**
     * What the ensemble showed on the tuning folds (out of sample for its members, before any unseen row): its AUC,
     * the 5th percentile of its stationary-block-bootstrap distribution, and whether that is an edge to act on.
     */
    public record Edge(double auc, double low, boolean shown) {
    }

    /** One row over the unseen folds. */
    public record Row(String name, SimulationMetrics metrics, double threshold, Interval wins, Interval falsePositives,
                      double actionShare, double probabilityOfLoss) {
    }

    /** A point estimate with its 95% bootstrap interval. */
    public record Interval(double value, double low, double high) {
    }

    /** The answer: the tuned parameters, the rows, the paired reduction and what the models knew. */
    public record Report(Map<String, Double> tuned, double tuningObjective, List<Row> rows, Interval fpReductionVsSingle,
                         int tuningRows, int unseenRows, double unseenAuc, double unseenEce,
                         Map<String, Double> tunedWithoutLearnedGate, Edge tuningEdge) {

        /** Whether the edge check kept both tuned rows out of the unseen folds. */
        public boolean stayedOut() {
            return !tuningEdge.shown();
        }
    }

    private NestedWalkForward() {
    }

    public static Report run(WalkForwardBacktest.Prepared p, PolicyParameters base, Settings s) {
        int folds = p.layout().size();
        if (s.unseenFolds() < 1 || s.unseenFolds() >= folds) {
            throw new IllegalArgumentException("unseen folds is " + s.unseenFolds() + " of " + folds
                    + " folds; keep at least one fold to tune on and one to measure");
        }
        int split = p.foldStart()[folds - s.unseenFolds()];
        int n = p.testRows();

        // Tuning: the earlier folds only; once with the learned gate's parameters in the space, once without.
        Simulator tuning = new Simulator(p.simulationData(0, split));
        Map<String, Distribution> withGate = new java.util.LinkedHashMap<>(s.space());
        withGate.putAll(s.learnedGateSpace());
        Tuned tunedWithGate = tune(tuning, base, withGate, s);
        Tuned tunedWithout = tune(tuning, base, s.space(), s);
        Map<String, Double> best = tunedWithGate.parameters();
        double bestValue = tunedWithGate.objective();
        Map<String, Double> bestWithout = tunedWithout.parameters();
        // Do no harm: where the ensemble showed no edge on the tuning folds, tuned parameters are fitted noise; the
        // tuned rows then stay out (their other parameters kept, so the report still shows what tuning chose).
        Edge tuningEdge = edge(Arrays.copyOf(p.ensemble(), split), Arrays.copyOf(p.labels(), split), s);
        if (!tuningEdge.shown()) {
            best = stayOut(best);
            bestWithout = stayOut(bestWithout);
        }
        PolicyParameters tuned = base.with(best);

        // The unseen folds.
        SimulationData unseen = p.simulationData(split, n);
        int rows = n - split;
        double[] forward = Arrays.copyOfRange(p.forward(), split, n);
        List<int[]> directions = new ArrayList<>();
        List<SimulationMetrics> metrics = new ArrayList<>();
        List<Double> thresholds = new ArrayList<>();
        Simulator policy = new Simulator(unseen);
        for (PolicyParameters params : List.of(tuned, base.with(bestWithout), base)) {
            int[] dir = new int[rows];
            SimulationMetrics out = new SimulationMetrics();
            policy.run(params, Simulator.Mode.FULL_POLICY, policy.newScratch(), out, dir, new double[rows]);
            directions.add(dir);
            metrics.add(out);
            thresholds.add(params.get(dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_EDGE));
        }
        long targetWins = metrics.get(0).truePositiveActions;
        for (double[] probability : List.of(Arrays.copyOfRange(p.best(), split, n), Arrays.copyOfRange(p.ensemble(), split, n))) {
            double[] ones = new double[rows];
            Arrays.fill(ones, 1);
            Simulator plain = new Simulator(new SimulationData(probability, ones, new double[rows], new double[rows], null, forward,
                    p.data().horizon(), p.costPerTurnover()));
            double edge = WalkForwardBacktest.matchedEdge(probability, plain, base, targetWins);
            int[] dir = new int[rows];
            SimulationMetrics out = new SimulationMetrics();
            plain.run(base.with(dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_EDGE, edge), Simulator.Mode.PLAIN_THRESHOLD,
                    plain.newScratch(), out, dir, new double[rows]);
            directions.add(dir);
            metrics.add(out);
            thresholds.add(edge);
        }
        String[] names = {"tuned policy", "tuned policy without the learned gate", "default policy",
                "single best model + threshold", "ensemble + threshold"};

        // Paired stationary block bootstrap over the unseen decisions.
        int k = directions.size();
        double[][] winsDraws = new double[k][s.resamples()];
        double[][] fpDraws = new double[k][s.resamples()];
        double[][] pnlDraws = new double[k][s.resamples()];
        double[] reduction = new double[s.resamples()];
        SplittableRandom random = new SplittableRandom(s.seed() ^ 0x5DEECE66DL);
        int[] path = new int[rows];
        for (int b = 0; b < s.resamples(); b++) {
            BlockBootstrap.path(rows, s.meanBlockLength(), random, path);
            for (int r = 0; r < k; r++) {
                int[] dir = directions.get(r);
                long w = 0;
                long fp = 0;
                double sum = 0;
                for (int i : path) {
                    double signed = dir[i] * forward[i];
                    w += signed > 0 ? 1 : 0;
                    fp += signed < 0 ? 1 : 0;
                    sum += signed;
                }
                winsDraws[r][b] = w;
                fpDraws[r][b] = fp;
                pnlDraws[r][b] = sum;
            }
            reduction[b] = fpDraws[SINGLE][b] == 0 ? 0 : 1 - fpDraws[0][b] / fpDraws[SINGLE][b];
        }
        List<Row> out = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            SimulationMetrics mr = metrics.get(r);
            long losses = Arrays.stream(pnlDraws[r]).filter(x -> x < 0).count();
            out.add(new Row(names[r], mr, thresholds.get(r), interval(mr.truePositiveActions, winsDraws[r]),
                    interval(mr.falsePositiveActions, fpDraws[r]), (double) mr.actionCount / rows,
                    (double) losses / s.resamples()));
        }
        long singleFp = metrics.get(SINGLE).falsePositiveActions;
        double pointReduction = singleFp == 0 ? 0 : 1 - (double) metrics.get(0).falsePositiveActions / singleFp;
        int[] labels = Arrays.copyOfRange(p.labels(), split, n);
        ProbabilityMetrics quality = ProbabilityMetrics.of(Arrays.copyOfRange(p.ensemble(), split, n), labels);
        return new Report(best, bestValue, out, interval(pointReduction, reduction), split, rows, quality.rocAuc(),
                quality.expectedCalibrationError(), bestWithout, tuningEdge);
    }

    /** {@code params} with sizes of 0: the policy decides FLAT on every row. */
    static Map<String, Double> stayOut(Map<String, Double> params) {
        Map<String, Double> out = new java.util.LinkedHashMap<>(params);
        out.put(dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_SIZE.key(), 0.0);
        out.put(dev.arbiter.engine.policy.PolicyParameter.RISK_MIN_SIZE.key(), 0.0);
        return out;
    }

    /** The edge check over the tuning rows' ensemble probabilities {@code p} and labels {@code y}. */
    static Edge edge(double[] p, int[] y, Settings s) {
        double auc = ProbabilityMetrics.of(p, y).rocAuc();
        if (s.minEdgeAuc() <= 0) {
            return new Edge(auc, Double.NaN, true);
        }
        SplittableRandom random = new SplittableRandom(s.seed() ^ 0xED6EL);
        int[] path = new int[p.length];
        double[] rp = new double[p.length];
        int[] ry = new int[p.length];
        double[] draws = new double[s.resamples()];
        for (int b = 0; b < draws.length; b++) {
            BlockBootstrap.path(p.length, s.meanBlockLength(), random, path);
            for (int i = 0; i < path.length; i++) {
                rp[i] = p[path[i]];
                ry[i] = y[path[i]];
            }
            draws[b] = ProbabilityMetrics.of(rp, ry).rocAuc();
        }
        Arrays.sort(draws);
        double low = BlockBootstrap.percentile(draws, 5);
        return new Edge(auc, low, auc >= s.minEdgeAuc() && low > 0.5);
    }

    /** The row of the single best model + threshold. */
    static final int SINGLE = 3;

    /** Parameters chosen by a tuning and their objective on the tuning folds. */
    record Tuned(Map<String, Double> parameters, double objective) {
    }

    /** TPE over {@code space} on the tuning folds, {@code s.trials()} trials from {@code s.seed()}. */
    static Tuned tune(Simulator tuning, PolicyParameters base, Map<String, Distribution> space, Settings s) {
        TpeSampler tpe = new TpeSampler(TpeSampler.Options.defaults(), List.of(Direction.MAXIMIZE), s.seed());
        Map<String, Double> best = Map.of();
        double bestValue = Double.NEGATIVE_INFINITY;
        SimulationMetrics m = new SimulationMetrics();
        Simulator.Scratch scratch = tuning.newScratch();
        for (int t = 0; t < s.trials(); t++) {
            Map<String, Double> params = tpe.ask(space, List.of());
            double value;
            try {
                tuning.run(base.with(params), Simulator.Mode.FULL_POLICY, scratch, m);
                value = objective(s, m);
            } catch (IllegalArgumentException inconsistent) {
                tpe.tell(new Trial(t, dev.arbiter.engine.study.TrialState.FAIL, params, null, null));
                continue;
            }
            tpe.tell(Trial.complete(t, params, value));
            if (value > bestValue) {
                bestValue = value;
                best = params;
            }
        }
        return new Tuned(best, bestValue);
    }

    static double objective(Settings s, SimulationMetrics m) {
        if (s.objective() == Objective.SHARPE) {
            return m.sharpe;
        }
        double share = (double) m.actionCount / Math.max(1, m.decisionCount);
        double precision = m.actionCount == 0 ? 0 : m.precision;
        return share >= s.minActionShare() ? precision : precision * share / s.minActionShare();
    }

    private static Interval interval(double value, double[] draws) {
        double[] sorted = draws.clone();
        Arrays.sort(sorted);
        return new Interval(value, BlockBootstrap.percentile(sorted, 2.5), BlockBootstrap.percentile(sorted, 97.5));
    }
}
