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

    /** Per-thread working memory: the ring of open positions. */
    public static final class Scratch {
        final double[] openSize;
        final int[] openDirection;

        public Scratch(int horizon) {
            openSize = new double[horizon];
            openDirection = new int[horizon];
        }
    }

    public Scratch newScratch() {
        return new Scratch(d.horizon);
    }

    /** Runs one simulation into {@code out}; allocates nothing. */
    public void run(PolicyParameters p, Mode mode, Scratch scratch, SimulationMetrics out) {
        run(p, mode, scratch, out, null, null);
    }

    /**
     * Runs one simulation; when {@code traceDirection}/{@code traceSize} are given (length n), writes each
     * step's decision into them.
     */
    public void run(PolicyParameters p, Mode mode, Scratch scratch, SimulationMetrics out,
                    int[] traceDirection, double[] traceSize) {
        final boolean full = mode == Mode.FULL_POLICY;
        final double edgeScale = p.get(CONFIDENCE_EDGE_SCALE);
        final double agreementWeight = p.get(CONFIDENCE_AGREEMENT_WEIGHT);
        final double volReference = p.get(CONFIDENCE_VOLATILITY_REFERENCE);
        final double volPenalty = p.get(CONFIDENCE_VOLATILITY_PENALTY);
        final double trendWeight = p.get(CONFIDENCE_TREND_WEIGHT);
        final double minEdge = p.get(GATE_MIN_EDGE);
        final double minAgreement = p.get(GATE_MIN_AGREEMENT);
        final double minConfidence = p.get(GATE_MIN_CONFIDENCE);
        final double confidenceSlope = p.get(GATE_CONFIDENCE_VOLATILITY_SLOPE);
        final double maxVolatility = p.get(GATE_MAX_VOLATILITY);
        final double minTrend = p.get(GATE_MIN_TREND);
        final boolean allowShort = p.get(POLICY_ALLOW_SHORT) >= 1;
        final double volTarget = p.get(RISK_VOLATILITY_TARGET);
        final double kellyFraction = p.get(RISK_KELLY_FRACTION);
        final double maxSize = p.get(RISK_MAX_SIZE);
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
        final double[] prob = d.probability;
        final double[] agree = d.agreement;
        final double[] vol = d.volatility;
        final double[] trend = d.trendStrength;
        final boolean[] warm = d.warm;
        final double[] fwd = d.forwardReturn;
        final double[] edges = d.edge;
        final int[] lean = d.leaning;
        final double[] openSize = scratch.openSize;
        final int[] openDir = scratch.openDirection;
        java.util.Arrays.fill(openDir, 0);

        double equity = 0;
        double peak = 0;
        double maxDrawdown = 0;
        double exposure = 0;
        double seriesPosition = 0;
        int losses = 0;
        int cooldown = 0;
        long actions = 0;
        long wins = 0;
        long falsePositives = 0;
        double pnl = 0;
        double pnlSquares = 0;
        double turnover = 0;
        int slot = 0;

        // Written without data-dependent branches (selects and max/min instead), because gate outcomes and the
        // sign of returns are close to coin flips and mispredicted branches would dominate the cost of a step.
        for (int t = 0; t < n + h; t++) {
            // Realise the position opened h steps ago (its slot in the ring is the one this step reuses); an
            // empty slot holds size 0 and realises exactly 0, which moves nothing.
            int dirOpen = openDir[slot];
            double s = openSize[slot];
            double realised = t >= h ? dirOpen * s * fwd[t - h] - cost2 * s : 0;
            equity += realised;
            peak = Math.max(peak, equity);
            maxDrawdown = Math.max(maxDrawdown, peak - equity);
            cooldown = RiskManager.cooldownAfter(cooldownTrigger, cooldownLength, losses, cooldown, realised);
            losses = RiskManager.lossesAfter(cooldownTrigger, losses, realised);
            exposure -= s;
            seriesPosition -= dirOpen * s;
            openDir[slot] = 0;
            openSize[slot] = 0;
            if (t < n) {
                int dir = lean[t];
                boolean sideOk = dir > 0 | (dir < 0 & allowShort);
                boolean edgeOk = Math.abs(prob[t] - 0.5) >= minEdge;
                double size;
                if (full) {
                    double v = vol[t];
                    double confidence = ConfidenceScorer.score(edgeScale, agreementWeight, volReference, volPenalty,
                            trendWeight, edges[t], agree[t], v, trend[t]);
                    double drawdown = peak - equity;
                    double seriesRoom = maxSeries - dir * seriesPosition;
                    double totalRoom = maxTotal - exposure;
                    double room = Math.min(seriesRoom, totalRoom);
                    boolean pass = warm[t] & sideOk & edgeOk
                            & agree[t] >= minAgreement
                            & confidence >= DecisionGates.requiredConfidence(minConfidence, confidenceSlope, volReference, v)
                            & v <= maxVolatility
                            & (minTrend <= 0 | trend[t] >= minTrend)
                            & cooldown <= 0
                            & drawdown < ddLimit
                            & room >= minSize & room > 0;
                    double sized = RiskManager.baseSize(RiskManager.kellySize(kellyFraction, prob[t]),
                            RiskManager.volatilitySize(volTarget, confidence, v), maxSize)
                            * RiskManager.brakeFactor(ddSoft, ddLimit, drawdown);
                    sized = Math.min(Math.min(sized, seriesRoom), totalRoom);
                    size = pass & sized >= minSize & sized > 0 ? sized : 0;
                } else {
                    size = sideOk & edgeOk ? maxSize : 0;
                }
                int acted = size > 0 ? 1 : 0;
                dir *= acted;
                openDir[slot] = dir;
                openSize[slot] = size;
                exposure += size;
                seriesPosition += dir * size;
                actions += acted;
                turnover += 2 * size;
                double r = fwd[t];
                double decisionPnl = dir * size * r - cost2 * size;
                pnl += decisionPnl;
                pnlSquares += decisionPnl * decisionPnl;
                double signed = dir * r;
                wins += signed > 0 ? 1 : 0;
                falsePositives += signed < 0 ? 1 : 0;
                cooldown = Math.max(cooldown - 1, 0);
                if (traceDirection != null) {
                    traceDirection[t] = dir;
                    traceSize[t] = size;
                }
            }
            slot = slot + 1 == h ? 0 : slot + 1;
        }

        finish(out, actions, wins, falsePositives, pnl, pnlSquares, maxDrawdown, turnover);
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
