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
 * every core.
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

    /** Per-thread working memory: the steps that may act, and the queue of open positions. */
    public static final class Scratch {
        int[] candidateStep;
        double[] gateMargin;
        double[] baseSize;
        double[] confidence;
        double[] excessVolatility;
        final int[] openStep;
        final int[] openDirection;
        final double[] openSize;

        public Scratch(int horizon) {
            openStep = new int[horizon];
            openDirection = new int[horizon];
            openSize = new double[horizon];
            candidateStep = new int[0];
            gateMargin = new double[0];
            baseSize = new double[0];
            confidence = new double[0];
            excessVolatility = new double[0];
        }

        void ensure(int n) {
            if (candidateStep.length < n) {
                candidateStep = new int[n];
                gateMargin = new double[n];
                baseSize = new double[n];
                confidence = new double[n];
                excessVolatility = new double[n];
            }
        }
    }

    public Scratch newScratch() {
        Scratch s = new Scratch(d.horizon);
        s.ensure(d.n);
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
     * <p>Three passes, which give exactly the numbers of stepping through every step with the state (the test
     * holds them to {@code DecisionPolicy} step by step). The first decides, for every step independently, what does
     * not depend on the risk state (confidence, the warm-up, side, edge, agreement, confidence, volatility and trend
     * gates, and the size before the drawdown brake and the exposure caps) and keeps the steps that could still act,
     * with that size: loops without a step-to-step dependency, which the JIT vectorizes. The second walks only those
     * steps in time order with the risk state, realising the open positions that close before each of them (positions
     * close in the order they opened, all after {@code horizon} steps): a step that does not act changes neither the
     * state nor any metric, so it can be skipped. The third sums the metrics of the decisions in time order.
     */
    public void run(PolicyParameters p, Mode mode, Scratch scratch, SimulationMetrics out,
                    int[] traceDirection, double[] traceSize) {
        final boolean full = mode == Mode.FULL_POLICY;
        final double minEdge = p.get(GATE_MIN_EDGE);
        final boolean allowShort = p.get(POLICY_ALLOW_SHORT) >= 1;
        final double maxSize = p.get(RISK_MAX_SIZE);
        final double minSize = p.get(RISK_MIN_SIZE);
        final int n = d.n;
        scratch.ensure(n);
        int candidates = full ? candidatesOfFullPolicy(p, scratch, minEdge, allowShort, maxSize, minSize)
                : candidatesOfThreshold(scratch, minEdge, allowShort, maxSize);
        double maxDrawdown = walk(p, full, scratch, candidates);
        // Third pass: the metrics of the decisions, summed in time order.
        final double cost2 = 2 * d.costPerTurnover;
        final double[] fwd = d.forwardReturn;
        final int[] lean = d.leaning;
        final int[] candidateStep = scratch.candidateStep;
        final double[] stepSize = scratch.baseSize;
        if (traceDirection != null) {
            java.util.Arrays.fill(traceDirection, 0, n, 0);
            java.util.Arrays.fill(traceSize, 0, n, 0);
        }
        long actions = 0;
        long wins = 0;
        long falsePositives = 0;
        double pnl = 0;
        double pnlSquares = 0;
        double turnover = 0;
        for (int c = 0; c < candidates; c++) {
            int t = candidateStep[c];
            double size = stepSize[t];
            int acted = size > 0 ? 1 : 0;
            int dir = lean[t] * acted;
            actions += acted;
            turnover += 2 * size;
            double r = fwd[t];
            double decisionPnl = dir * size * r - cost2 * size;
            pnl += decisionPnl;
            pnlSquares += decisionPnl * decisionPnl;
            double signed = dir * r;
            wins += signed > 0 ? 1 : 0;
            falsePositives += signed < 0 ? 1 : 0;
            if (traceDirection != null) {
                traceDirection[t] = dir;
                traceSize[t] = size;
            }
        }
        finish(out, actions, wins, falsePositives, pnl, pnlSquares, maxDrawdown, turnover);
    }

    /**
     * Second pass: the candidates in time order with the risk state. Realises the open positions that close before
     * each candidate (positions close in the order they opened, all after {@code horizon} steps), decides it with the
     * state of that moment and overwrites its size with the size taken (0 when it does not act). Answers the maximum
     * drawdown.
     */
    private double walk(PolicyParameters p, boolean full, Scratch scratch, int candidates) {
        final double minSize = p.get(RISK_MIN_SIZE);
        final double maxSeries = p.get(RISK_MAX_SERIES_EXPOSURE);
        final double maxTotal = p.get(RISK_MAX_TOTAL_EXPOSURE);
        final double ddSoft = p.get(RISK_DRAWDOWN_SOFT);
        final double ddLimit = p.get(RISK_DRAWDOWN_LIMIT);
        final int cooldownTrigger = (int) p.get(RISK_COOLDOWN_LOSSES);
        final int cooldownLength = (int) p.get(RISK_COOLDOWN_OBSERVATIONS);
        final double cost2 = 2 * d.costPerTurnover;
        final int n = d.n;
        final int h = d.horizon;
        final double[] fwd = d.forwardReturn;
        final int[] lean = d.leaning;
        final int[] candidateStep = scratch.candidateStep;
        final double[] stepSize = scratch.baseSize;
        final int[] openStep = scratch.openStep;
        final int[] openDir = scratch.openDirection;
        final double[] openSize = scratch.openSize;

        double equity = 0;
        double peak = 0;
        double maxDrawdown = 0;
        double exposure = 0;
        double seriesPosition = 0;
        int losses = 0;
        int cooldownEnd = 0; // the cooldown left at step t is max(cooldownEnd - t, 0)
        int head = 0; // the queue of open positions: a ring of h slots, oldest at head
        int open = 0;
        for (int c = 0; c <= candidates; c++) {
            final int t = c < candidates ? candidateStep[c] : n + h;
            // Realise the positions opened h or more steps before t, oldest first, as the step-by-step walk would.
            while (open > 0 && openStep[head] + h <= t) {
                int closes = openStep[head] + h;
                int dirOpen = openDir[head];
                double s = openSize[head];
                double realised = dirOpen * s * fwd[openStep[head]] - cost2 * s;
                equity += realised;
                // Math.max, branch-free: new equity peaks come at random, and a comparison here compiles to a
                // branch (measured about 8 % slower overall, two runs each on a noisy machine).
                peak = Math.max(peak, equity);
                maxDrawdown = Math.max(maxDrawdown, peak - equity);
                cooldownEnd = closes + RiskManager.cooldownAfter(cooldownTrigger, cooldownLength, losses,
                        Math.max(cooldownEnd - closes, 0), realised);
                losses = RiskManager.lossesAfter(cooldownTrigger, losses, realised);
                exposure -= s;
                seriesPosition -= dirOpen * s;
                head = head + 1 == h ? 0 : head + 1;
                open--;
            }
            if (c == candidates) {
                break;
            }
            int dir = lean[t];
            double size;
            if (full) {
                double drawdown = peak - equity;
                double seriesRoom = maxSeries - dir * seriesPosition;
                double totalRoom = maxTotal - exposure;
                // Comparisons rather than Math.min in the caps (the values are finite): the caps rarely bind, so the
                // branches are predicted, and Math.min's NaN and -0 handling would add latency to the chain from
                // one decision to the next.
                double room = seriesRoom < totalRoom ? seriesRoom : totalRoom;
                boolean pass = cooldownEnd <= t & drawdown < ddLimit & room >= minSize & room > 0;
                double sized = stepSize[t] * RiskManager.brakeFactor(ddSoft, ddLimit, drawdown);
                sized = sized > seriesRoom ? seriesRoom : sized;
                sized = sized > totalRoom ? totalRoom : sized;
                size = pass & sized >= minSize & sized > 0 ? sized : 0;
            } else {
                size = stepSize[t];
            }
            stepSize[t] = size;
            int acted = size > 0 ? 1 : 0;
            dir *= acted;
            // Always written, kept only when acted.
            int tail = head + open >= h ? head + open - h : head + open;
            openStep[tail] = t;
            openDir[tail] = dir;
            openSize[tail] = size;
            open += acted;
            exposure += size;
            seriesPosition += dir * size;
        }
        return maxDrawdown;
    }

    /**
     * The first pass of the full policy: every step's state-free gates and its size before the brake and the caps;
     * answers how many steps could act, written in time order to the scratch. A step whose size before the brake is
     * already below {@code risk.min_size} cannot act (the brake and the caps only shrink it).
     *
     * <p>The gates are folded into one margin, the smallest of (value − threshold) over them plus −∞ for a step that
     * is cold or leans to a side not allowed: the step passes them all exactly when the margin is ≥ 0 (a difference
     * of doubles is ≥ 0 exactly when the value is ≥ the threshold, and NaN passes nothing). The loops that compute
     * margins and sizes is arithmetic only, with no branch and no select, so the JIT runs it on several steps per
     * instruction (SIMD); a scalar loop then keeps the steps that pass.
     */
    private int candidatesOfFullPolicy(PolicyParameters p, Scratch scratch, double minEdge, boolean allowShort,
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
                    RiskManager.volatilitySizeByInverse(volTarget, confidences[t], inverseVolatility[t]), maxSize);
            base[t] = size;
            margin[t] = Math.min(confidences[t] - DecisionGates.requiredConfidence(minConfidence, confidenceSlope, excesses[t]),
                    size - minSize) + admissible[t];
        }
        for (int t = 0; t < n; t++) {
            double thresholds = Math.min(Math.min(halfEdge[t] - minEdge, agree[t] - minAgreement),
                    Math.min(maxVolatility - vol[t], Math.max(trendForGate[t] - minTrend, trendGateOff)));
            margin[t] = Math.min(margin[t], thresholds);
        }
        final int[] candidateStep = scratch.candidateStep;
        int k = 0;
        for (int t = 0; t < n; t++) {
            // Always written, counted only when it passes: no branch on the coin flip.
            candidateStep[k] = t;
            k += margin[t] >= 0 & base[t] > 0 ? 1 : 0;
        }
        return k;
    }

    /** The first pass of the plain threshold: every step with enough edge on an allowed side acts at the maximum size. */
    private int candidatesOfThreshold(Scratch scratch, double minEdge, boolean allowShort, double maxSize) {
        final int n = d.n;
        final double[] halfEdge = d.halfEdge;
        final int[] lean = d.leaning;
        final int[] candidateStep = scratch.candidateStep;
        java.util.Arrays.fill(scratch.baseSize, 0, n, maxSize);
        int k = 0;
        for (int t = 0; t < n; t++) {
            int dir = lean[t];
            candidateStep[k] = t;
            k += (dir > 0 | (dir < 0 & allowShort)) & halfEdge[t] >= minEdge & maxSize > 0 ? 1 : 0;
        }
        return k;
    }

    /**
     * Runs one simulation per parameter set, in parallel on the common fork-join pool (every core), and answers
     * the metrics as a {@code ps.length × SimulationMetrics.FIELDS} row-major matrix. (Stepping several parameter
     * sets together per thread, to overlap their dependency chains, was tried and measured no faster.)
     */
    public double[] runAll(PolicyParameters[] ps, Mode mode) {
        double[] results = new double[ps.length * SimulationMetrics.FIELDS];
        int chunk = 256;
        int chunks = (ps.length + chunk - 1) / chunk;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            Scratch scratch = newScratch();
            SimulationMetrics m = new SimulationMetrics();
            int end = Math.min(ps.length, (c + 1) * chunk);
            for (int i = c * chunk; i < end; i++) {
                run(ps[i], mode, scratch, m);
                m.writeTo(results, i * SimulationMetrics.FIELDS);
            }
        });
        return results;
    }

    private void finish(SimulationMetrics out, long actions, long wins, long falsePositives, double pnl,
                        double pnlSquares, double maxDrawdown, double turnover) {
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
