package dev.arbiter.engine.simulation;

import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_AGREEMENT_WEIGHT;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_EDGE_SCALE;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_TREND_WEIGHT;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_VOLATILITY_PENALTY;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_VOLATILITY_REFERENCE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_CONFIDENCE_VOLATILITY_SLOPE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MAX_VOLATILITY;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_AGREEMENT;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_CONFIDENCE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_EDGE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_TREND;
import static dev.arbiter.engine.policy.PolicyParameter.META_MIN_PROBABILITY;
import static dev.arbiter.engine.policy.PolicyParameter.META_SIZE_WEIGHT;
import static dev.arbiter.engine.policy.PolicyParameter.POLICY_ALLOW_SHORT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_COOLDOWN_LOSSES;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_COOLDOWN_OBSERVATIONS;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_DRAWDOWN_LIMIT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_DRAWDOWN_SOFT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_KELLY_FRACTION;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_SERIES_EXPOSURE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_SIZE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_TOTAL_EXPOSURE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MIN_SIZE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_VOLATILITY_TARGET;

import dev.arbiter.engine.policy.ConfidenceScorer;
import dev.arbiter.engine.policy.DecisionGates;
import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.policy.RiskManager;
import java.util.stream.IntStream;

/**
 * Evaluates a decision policy over a {@link SimulationData}: at each step the policy decides with the risk state
 * of that moment; an action opens a position of its size held for {@code horizon} steps, whose pnl
 * (direction × size × forward return, minus cost on opening and closing) is realised when it closes, moving
 * equity, drawdown and the loss-run cooldown. The formulas are those of {@link ConfidenceScorer},
 * {@link DecisionGates} and {@link RiskManager}, read once per simulation; a test holds every step equal to
 * {@code DecisionPolicy.decide}. One simulation allocates nothing; {@link #runAll} spreads simulations over
 * every core and, when the JVM has the Vector API module, steps several of them per instruction
 * ({@code VectorSimulations}).
 */
public final class Simulator {

    /** Which parts of the policy run. */
    public enum Mode {
        /** Confidence, every built-in gate, risk sizing with caps, brake and cooldown. */
        FULL_POLICY,
        /** Act whenever |p − 0.5| ≥ gate.min_edge (on an allowed side), always at risk.max_size. */
        PLAIN_THRESHOLD
    }

    private final SimulationData d;

    public Simulator(SimulationData data) {
        this.d = data;
    }

    public SimulationData data() {
        return d;
    }

    /**
     * Per-thread working memory. Step t's state-free verdict and size sit at index t (and the {@code horizon} steps
     * after the last step refuse to act); the decision taken at step t sits at index t + horizon, so that the walk
     * finds the position closing at step t, opened at t − horizon, at index t (before the first step: none, size 0).
     */
    public static final class Scratch {
        double[] gateMargin;
        double[] baseSize;
        double[] confidence;
        double[] excessVolatility;
        double[] takenSize;
        int[] takenDirection;

        public Scratch(int horizon) {
            gateMargin = new double[0];
            baseSize = new double[0];
            confidence = new double[0];
            excessVolatility = new double[0];
            takenSize = new double[0];
            takenDirection = new int[0];
        }

        void ensure(int n, int horizon) {
            if (gateMargin.length < n + horizon) {
                gateMargin = new double[n + horizon];
                baseSize = new double[n + horizon];
                confidence = new double[n];
                excessVolatility = new double[n];
            }
            if (takenSize.length < n + 2 * horizon) {
                takenSize = new double[n + 2 * horizon];
                takenDirection = new int[n + 2 * horizon];
            }
            java.util.Arrays.fill(gateMargin, n, n + horizon, Double.NEGATIVE_INFINITY);
            java.util.Arrays.fill(baseSize, n, n + horizon, 0);
            java.util.Arrays.fill(takenSize, 0, horizon, 0);
            java.util.Arrays.fill(takenDirection, 0, horizon, 0);
        }
    }

    public Scratch newScratch() {
        Scratch s = new Scratch(d.horizon);
        s.ensure(d.n, d.horizon);
        return s;
    }

    /** Runs one simulation into {@code out}; allocates nothing (once the scratch has grown to the data). */
    public void run(PolicyParameters p, Mode mode, Scratch scratch, SimulationMetrics out) {
        run(p, mode, scratch, out, null, null);
    }

    /**
     * Runs one simulation; when {@code traceDirection}/{@code traceSize} are given (length n), writes each
     * step's decision into them.
     *
     * <p>Two passes, which give exactly the numbers of stepping through every step with the state (the test holds
     * them to {@code DecisionPolicy} step by step). The first decides, for every step independently, what does not
     * depend on the risk state (confidence, the warm-up, side, edge, agreement, confidence, volatility and trend
     * gates, and the size before the drawdown brake and the exposure caps): loops without a step-to-step dependency,
     * which the JIT vectorizes. The second walks every step in time order with the risk state: it realises the
     * position opened {@code horizon} steps before (a position is held exactly that long, so at most one closes per
     * step, in the order they opened), then decides the step, and sums the metrics as positions close.
     */
    public void run(PolicyParameters p, Mode mode, Scratch scratch, SimulationMetrics out,
                    int[] traceDirection, double[] traceSize) {
        final boolean full = mode == Mode.FULL_POLICY;
        final double minEdge = p.get(GATE_MIN_EDGE);
        final boolean allowShort = p.get(POLICY_ALLOW_SHORT) >= 1;
        final double maxSize = p.get(RISK_MAX_SIZE);
        final double minSize = p.get(RISK_MIN_SIZE);
        final int n = d.n;
        final int h = d.horizon;
        scratch.ensure(n, h);
        if (full) {
            stateFreeFullPolicy(p, scratch, minEdge, allowShort, maxSize, minSize);
        } else {
            stateFreeThreshold(scratch, minEdge, allowShort, maxSize);
        }
        walk(p, full, scratch, out);
        if (traceDirection != null) {
            for (int t = 0; t < n; t++) {
                double size = scratch.takenSize[t + h];
                traceDirection[t] = scratch.takenDirection[t + h];
                traceSize[t] = size > 0 ? size : 0;
            }
        }
    }

    /**
     * Second pass: every step in time order with the risk state, in one loop without a branch on the step. At step t
     * it first realises the position opened at t − horizon (a step that did not act, or a step before the first,
     * opened a position of size 0, whose pnl is ±0 and which changes no state and no metric), then decides step t
     * with the state of that moment; the {@code horizon} steps after the last only realise what is still open (they
     * refuse to act). The metrics are summed as the positions close, which is the order they opened in, so the pnl
     * is the final equity.
     */
    private void walk(PolicyParameters p, boolean full, Scratch scratch, SimulationMetrics out) {
        final double minSize = p.get(RISK_MIN_SIZE);
        final double maxSeries = p.get(RISK_MAX_SERIES_EXPOSURE);
        final double maxTotal = p.get(RISK_MAX_TOTAL_EXPOSURE);
        final double ddSoft = p.get(RISK_DRAWDOWN_SOFT);
        final double ddLimit = p.get(RISK_DRAWDOWN_LIMIT);
        final int cooldownTrigger = (int) p.get(RISK_COOLDOWN_LOSSES);
        final int cooldownLength = (int) p.get(RISK_COOLDOWN_OBSERVATIONS);
        final double cost2 = 2 * d.costPerTurnover;
        final int h = d.horizon;
        final int end = d.n + h;
        final double[] closingReturn = d.closingReturn;
        final int[] lean = d.leaning;
        final double[] margin = scratch.gateMargin;
        final double[] base = scratch.baseSize;
        final double[] taken = scratch.takenSize;
        final int[] takenDir = scratch.takenDirection;

        double equity = 0;
        double peak = 0;
        double maxDrawdown = 0;
        double exposure = 0;
        double seriesPosition = 0;
        int losses = 0;
        int cooldownEnd = 0; // the cooldown left at step t is max(cooldownEnd - t, 0)
        long actions = 0;
        long wins = 0;
        long falsePositives = 0;
        double pnlSquares = 0;
        double turnover = 0;
        for (int t = 0; t < end; t++) {
            // Realise the position opened at t − h.
            int dirOpen = takenDir[t];
            double s = taken[t];
            double r = closingReturn[t];
            double realised = dirOpen * s * r - cost2 * s;
            equity += realised;
            // Math.max, branch-free: new equity peaks come at random.
            peak = Math.max(peak, equity);
            maxDrawdown = Math.max(maxDrawdown, peak - equity);
            cooldownEnd = t + RiskManager.cooldownAfter(cooldownTrigger, cooldownLength, losses,
                    Math.max(cooldownEnd - t, 0), realised);
            losses = RiskManager.lossesAfter(cooldownTrigger, losses, realised);
            exposure -= s;
            seriesPosition -= dirOpen * s;
            actions += dirOpen * dirOpen;
            turnover += 2 * s;
            pnlSquares += realised * realised;
            double signed = dirOpen * r;
            wins += signed > 0 ? 1 : 0;
            falsePositives += signed < 0 ? 1 : 0;

            // Decide step t.
            int dir = lean[t];
            double sized;
            int act;
            if (full) {
                double drawdown = peak - equity;
                double room = Math.min(maxSeries - dir * seriesPosition, maxTotal - exposure);
                sized = Math.min(base[t] * RiskManager.brakeFactor(ddSoft, ddLimit, drawdown), room);
                // sized ≤ room, so sized ≥ min_size and sized > 0 are the policy's room checks too
                act = margin[t] >= 0 & cooldownEnd <= t & drawdown < ddLimit & sized >= minSize & sized > 0 ? 1 : 0;
            } else {
                sized = base[t];
                act = margin[t] >= 0 ? 1 : 0;
            }
            // A multiplication by 0 or 1 rather than a select: whether a step acts is a coin flip.
            double size = sized * act;
            int dirTaken = dir * act;
            taken[t + h] = size;
            takenDir[t + h] = dirTaken;
            exposure += size;
            seriesPosition += dirTaken * size;
        }
        finish(d, out, actions, wins, falsePositives, equity, pnlSquares, maxDrawdown, turnover);
    }

    /**
     * The first pass of the full policy: every step's state-free gates, as one margin, and its size before the brake
     * and the caps, written to the scratch. A step whose size before the brake is already below {@code risk.min_size}
     * cannot act (the brake and the caps only shrink it), so that check is part of the margin.
     *
     * <p>The gates are folded into one margin, the smallest of (value − threshold) over them plus −∞ for a step that
     * is cold or leans to a side not allowed: the step passes them all exactly when the margin is ≥ 0 (a difference
     * of doubles is ≥ 0 exactly when the value is ≥ the threshold, and NaN passes nothing). The loops that compute
     * margins and sizes is arithmetic only, with no branch and no select, so the JIT runs it on several steps per
     * instruction (SIMD).
     */
    private void stateFreeFullPolicy(PolicyParameters p, Scratch scratch, double minEdge, boolean allowShort,
                                       double maxSize, double minSize) {
        final double edgeScale = p.get(CONFIDENCE_EDGE_SCALE);
        final double agreementWeight = p.get(CONFIDENCE_AGREEMENT_WEIGHT);
        final double inverseReference = 1 / p.get(CONFIDENCE_VOLATILITY_REFERENCE);
        final double volPenalty = p.get(CONFIDENCE_VOLATILITY_PENALTY);
        final double trendWeight = p.get(CONFIDENCE_TREND_WEIGHT);
        final double minAgreement = p.get(GATE_MIN_AGREEMENT);
        final double minConfidence = p.get(GATE_MIN_CONFIDENCE);
        final double confidenceSlope = p.get(GATE_CONFIDENCE_VOLATILITY_SLOPE);
        final double maxVolatility = p.get(GATE_MAX_VOLATILITY);
        final double minTrend = p.get(GATE_MIN_TREND);
        // gate.min_trend <= 0 switches the trend gate off: its margin is then +∞ whatever the trend
        final double trendGateOff = minTrend <= 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        final double volTarget = p.get(RISK_VOLATILITY_TARGET);
        final double kellyFraction = p.get(RISK_KELLY_FRACTION);
        final double minMeta = p.get(META_MIN_PROBABILITY);
        // meta.min_probability <= 0 switches the learned gate off, as gate.min_trend does the trend gate
        final double metaGateOff = MetaGate.off(minMeta) ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        final double metaWeight = p.get(META_SIZE_WEIGHT);
        final double[] metaForGate = d.metaForGate;
        final double[] metaBetSize = d.metaBetSize;
        final int n = d.n;
        final double[] agree = d.agreement;
        final double[] vol = d.volatility;
        final double[] knownVolatility = d.knownVolatility;
        final double[] knownTrend = d.knownTrend;
        final double[] trendForGate = d.trendForGate;
        final double[] admissible = allowShort ? d.admissibleEitherSide : d.admissibleLong;
        final double[] edges = d.edge;
        final double[] halfEdge = d.halfEdge;
        final double[] inverseVolatility = d.inverseVolatility;
        final double[] margin = scratch.gateMargin;
        final double[] base = scratch.baseSize;
        final double[] confidences = scratch.confidence;
        final double[] excesses = scratch.excessVolatility;
        // Three short loops rather than one long one: the JIT vectorizes a loop only when its body is small enough
        // to unroll (measured: one loop 13 ns per step, these three 2.4 ns, on JDK 25).
        for (int t = 0; t < n; t++) {
            double excess = DecisionGates.excessVolatilityByInverse(inverseReference, knownVolatility[t]);
            confidences[t] = ConfidenceScorer.score(edgeScale, agreementWeight, volPenalty, trendWeight, edges[t],
                    agree[t], excess, knownTrend[t]);
            excesses[t] = excess;
        }
        for (int t = 0; t < n; t++) {
            double size = RiskManager.baseSize(RiskManager.kellySizeByEdge(kellyFraction, edges[t]),
                    RiskManager.volatilitySizeByInverse(volTarget, confidences[t], inverseVolatility[t]), maxSize)
                    * MetaGate.sizeFactor(metaWeight, metaBetSize[t]);
            base[t] = size;
            margin[t] = Math.min(confidences[t] - DecisionGates.requiredConfidence(minConfidence, confidenceSlope, excesses[t]),
                    size - minSize) + admissible[t];
        }
        for (int t = 0; t < n; t++) {
            double thresholds = Math.min(Math.min(halfEdge[t] - minEdge, agree[t] - minAgreement),
                    Math.min(maxVolatility - vol[t], Math.max(trendForGate[t] - minTrend, trendGateOff)));
            margin[t] = Math.min(Math.min(margin[t], thresholds), Math.max(metaForGate[t] - minMeta, metaGateOff));
        }
    }

    /** The first pass of the plain threshold: every step with enough edge on an allowed side acts at the maximum size. */
    private void stateFreeThreshold(Scratch scratch, double minEdge, boolean allowShort, double maxSize) {
        final int n = d.n;
        final double[] halfEdge = d.halfEdge;
        final int[] lean = d.leaning;
        final double[] margin = scratch.gateMargin;
        java.util.Arrays.fill(scratch.baseSize, 0, n, maxSize);
        for (int t = 0; t < n; t++) {
            int dir = lean[t];
            margin[t] = (dir > 0 | (dir < 0 & allowShort)) & halfEdge[t] >= minEdge & maxSize > 0 ? 0 : -1;
        }
    }

    /**
     * Whether {@link #runAll} steps several full-policy simulations per SIMD instruction ({@code VectorSimulations}):
     * when the JVM has the incubating {@code jdk.incubator.vector} module ({@code --add-modules
     * jdk.incubator.vector}), unless the system property {@code arbiter.simulator.vector} is {@code false}.
     */
    public static final boolean VECTORIZED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("arbiter.simulator.vector"));

    /**
     * Runs one simulation per parameter set, in parallel on the common fork-join pool (every core), and answers
     * the metrics as a {@code ps.length × SimulationMetrics.FIELDS} row-major matrix: the numbers of {@link #run}
     * for each, bit for bit. The full policy runs several simulations per instruction when {@link #VECTORIZED}.
     */
    public double[] runAll(PolicyParameters[] ps, Mode mode) {
        return runAll(ps, mode, VECTORIZED && mode == Mode.FULL_POLICY);
    }

    /**
     * Runs the vectorized path on a synthetic series until the JIT has compiled it, so that a service's first real
     * batches do not pay for the Vector API's slow start: before C2 compiles it, every vector operation allocates.
     * Measured on 500 steps and 4 parameter sets per call: the first 512 calls took 1.2 s, the next 2,688 took 0.17 s
     * (49 µs a call, against 87 µs one by one). About 1 s of one core; does nothing without {@link #VECTORIZED}.
     *
     * @return the milliseconds it took
     */
    public static long warmUpVectorPath() {
        if (!VECTORIZED) {
            return 0;
        }
        long start = System.nanoTime();
        Simulator simulator = new Simulator(SimulationData.synthetic(7, 500, 5));
        PolicyParameters d = PolicyParameters.defaults();
        PolicyParameters[] ps = {d, d.with(GATE_MIN_EDGE, 0.01), d.with(GATE_MIN_CONFIDENCE, 0.1), d.with(POLICY_ALLOW_SHORT, 0)};
        for (int i = 0; i < 1_024; i++) {
            simulator.runAll(ps, Mode.FULL_POLICY, true);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** {@link #runAll} one simulation after another on each core, never vectorized: the baseline of the vectorized path. */
    public double[] runAllOneByOne(PolicyParameters[] ps, Mode mode) {
        return runAll(ps, mode, false);
    }

    private double[] runAll(PolicyParameters[] ps, Mode mode, boolean vectorized) {
        double[] results = new double[ps.length * SimulationMetrics.FIELDS];
        int chunk = 256;
        int chunks = (ps.length + chunk - 1) / chunk;
        // the vectorized path's working memory: one per thread that takes part in this call
        ThreadLocal<VectorSimulations> memory = vectorized ? ThreadLocal.withInitial(() -> new VectorSimulations(d)) : null;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = c * chunk;
            int end = Math.min(ps.length, from + chunk);
            if (vectorized) {
                memory.get().run(ps, from, end, results);
                return;
            }
            Scratch scratch = newScratch();
            SimulationMetrics m = new SimulationMetrics();
            for (int i = from; i < end; i++) {
                run(ps[i], mode, scratch, m);
                m.writeTo(results, i * SimulationMetrics.FIELDS);
            }
        });
        return results;
    }

    static void finish(SimulationData d, SimulationMetrics out, long actions, long wins, long falsePositives,
                       double pnl, double pnlSquares, double maxDrawdown, double turnover) {
        int n = d.n;
        out.decisionCount = n;
        out.actionCount = actions;
        out.outcomeCount = d.outcomeCount;
        out.hitRate = d.outcomeCount == 0 ? 0 : (double) d.hits / d.outcomeCount;
        long judged = wins + falsePositives;
        out.precision = judged == 0 ? 0 : (double) wins / judged;
        out.truePositiveActions = wins;
        out.falsePositiveActions = falsePositives;
        out.pnl = pnl;
        double mean = n == 0 ? 0 : pnl / n;
        double variance = n == 0 ? 0 : pnlSquares / n - mean * mean;
        out.sharpe = variance > 1e-300 ? mean / Math.sqrt(variance) : 0;
        out.maxDrawdown = maxDrawdown;
        out.turnover = turnover;
    }
}
