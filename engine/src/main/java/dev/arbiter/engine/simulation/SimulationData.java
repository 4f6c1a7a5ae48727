package dev.arbiter.engine.simulation;

import dev.arbiter.engine.policy.ConfidenceScorer;
import dev.arbiter.engine.policy.DecisionGates;
import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.engine.policy.RiskManager;
import java.util.SplittableRandom;

/**
 * What a simulation runs over: one series' steps in time order, each with the ensemble's view, the regime and
 * the realised forward return over the label horizon. Immutable once built; shared by every simulation (and
 * every thread) over it. Parameter-independent quantities are computed once here.
 */
public final class SimulationData {

    final int n;
    final int horizon;
    final double costPerTurnover;
    final double[] probability;
    final double[] agreement;
    final double[] volatility;
    final double[] trendStrength;
    final boolean[] warm;
    final double[] forwardReturn;
    final double[] edge;
    final double[] halfEdge;
    final double[] inverseVolatility;
    /** Volatility with unknown (NaN) as 0, as the confidence score and the confidence gate read it. */
    final double[] knownVolatility;
    /** Trend strength with unknown (NaN) as neutral, as the confidence score reads it. */
    final double[] knownTrend;
    /** Volatility for the volatility gate: unknown (NaN) as +∞, which no maximum admits (parameters are finite). */
    final double[] volatilityForGate;
    /** Trend strength for the trend gate: unknown (NaN) as −∞, which no threshold passes. */
    final double[] trendForGate;
    /** The meta model's probability per step (NaN when none), as the policy reads it. */
    final double[] metaProbability;
    /** The same for the learned gate: unknown (NaN) as −∞, which no threshold passes. */
    final double[] metaForGate;
    /** {@code MetaGate.betSize} of each step's meta probability (0 when unknown). */
    final double[] metaBetSize;
    /** 0 where a warm step leans either way, −∞ elsewhere: added to a gate margin, it refuses the step. */
    final double[] admissibleEitherSide;
    /** 0 where a warm step leans long, −∞ elsewhere (when shorts are not allowed). */
    final double[] admissibleLong;
    /** The side each step leans to (1, −1, 0), then {@code horizon} steps of 0 after the last step. */
    final int[] leaning;
    /**
     * The forward return of the position that closes at each step, opened {@code horizon} steps before: 0 for the
     * first {@code horizon} steps, then {@code forwardReturn}; n + horizon long.
     */
    final double[] closingReturn;
    final long outcomeCount;
    final long hits;

    /**
     * @param probability     ensemble (or single-model) probability per step
     * @param agreement       model agreement per step, in [0, 1] (NaN refused: the simulator's risk state must stay
     *                        a number)
     * @param volatility      volatility feature per step (NaN when unknown)
     * @param trendStrength   trend strength per step (NaN when unknown)
     * @param warm            features warm per step; null = all warm
     * @param forwardReturn   realised return from this step over the horizon, as a fraction; finite
     * @param horizon         steps a position is held before its outcome is realised; ≥ 1
     * @param costPerTurnover cost as a fraction of traded size (charged on opening and on closing)
     */
    public SimulationData(double[] probability, double[] agreement, double[] volatility, double[] trendStrength,
                          boolean[] warm, double[] forwardReturn, int horizon, double costPerTurnover) {
        this(probability, agreement, volatility, trendStrength, warm, forwardReturn, horizon, costPerTurnover, null);
    }

    /**
     * The same with the meta model's probability per step ({@code MetaGate}), in [0, 1] or NaN where no meta model
     * answered; null = none at all (the learned gate, when on, then passes no step).
     */
    public SimulationData(double[] probability, double[] agreement, double[] volatility, double[] trendStrength,
                          boolean[] warm, double[] forwardReturn, int horizon, double costPerTurnover,
                          double[] metaProbability) {
        n = probability.length;
        if (metaProbability != null) {
            check("metaProbability", metaProbability.length);
        }
        check("agreement", agreement.length);
        check("volatility", volatility.length);
        check("trendStrength", trendStrength.length);
        check("forwardReturn", forwardReturn.length);
        if (warm != null) {
            check("warm", warm.length);
        }
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon is " + horizon + "; positions are held at least 1 step");
        }
        if (!(costPerTurnover >= 0) || !Double.isFinite(costPerTurnover)) {
            throw new IllegalArgumentException("costPerTurnover is " + costPerTurnover + "; send a finite fraction >= 0");
        }
        this.horizon = horizon;
        this.costPerTurnover = costPerTurnover;
        this.probability = probability.clone();
        // The per-step arrays the simulator reads run horizon steps past the last step, where no step is admissible,
        // so that its loop realises the last positions without a branch on the step.
        int padded = n + horizon;
        this.agreement = java.util.Arrays.copyOf(agreement, padded);
        this.volatility = java.util.Arrays.copyOf(volatility, padded);
        this.trendStrength = trendStrength.clone();
        this.forwardReturn = forwardReturn.clone();
        this.warm = new boolean[n];
        this.edge = new double[padded];
        this.halfEdge = new double[padded];
        this.inverseVolatility = new double[padded];
        this.knownVolatility = new double[padded];
        this.volatilityForGate = new double[padded];
        this.knownTrend = new double[padded];
        this.trendForGate = new double[padded];
        this.admissibleEitherSide = new double[padded];
        this.admissibleLong = new double[padded];
        this.metaProbability = new double[n];
        this.metaForGate = new double[padded];
        this.metaBetSize = new double[padded];
        this.leaning = new int[padded];
        this.closingReturn = new double[padded];
        long outcomes = 0;
        long hit = 0;
        for (int t = 0; t < n; t++) {
            double p = probability[t];
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probability[" + t + "] is " + p + "; probabilities lie in [0, 1]");
            }
            double a = agreement[t];
            if (!(a >= 0 && a <= 1)) {
                throw new IllegalArgumentException("agreement[" + t + "] is " + a + "; agreement lies in [0, 1]");
            }
            this.warm[t] = warm == null || warm[t];
            edge[t] = Math.abs(2 * p - 1);
            halfEdge[t] = Math.abs(p - 0.5);
            double v = volatility[t];
            inverseVolatility[t] = RiskManager.inverseVolatility(v);
            knownVolatility[t] = DecisionGates.knownVolatility(v);
            volatilityForGate[t] = v == v ? v : Double.POSITIVE_INFINITY;
            knownTrend[t] = ConfidenceScorer.knownTrend(trendStrength[t]);
            trendForGate[t] = trendStrength[t] == trendStrength[t] ? trendStrength[t] : Double.NEGATIVE_INFINITY;
            double q = metaProbability == null ? Double.NaN : metaProbability[t];
            if (q == q && !(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("metaProbability[" + t + "] is " + q
                        + "; probabilities lie in [0, 1] (NaN where no meta model answered)");
            }
            this.metaProbability[t] = q;
            metaForGate[t] = q == q ? q : Double.NEGATIVE_INFINITY;
            metaBetSize[t] = MetaGate.betSize(q);
            leaning[t] = p > 0.5 ? 1 : p < 0.5 ? -1 : 0;
            admissibleEitherSide[t] = this.warm[t] && leaning[t] != 0 ? 0 : Double.NEGATIVE_INFINITY;
            admissibleLong[t] = this.warm[t] && leaning[t] > 0 ? 0 : Double.NEGATIVE_INFINITY;
            double r = forwardReturn[t];
            if (!Double.isFinite(r)) {
                throw new IllegalArgumentException("forwardReturn[" + t + "] is " + r
                        + "; simulate only steps whose outcome is known (drop the last horizon steps)");
            }
            closingReturn[t + horizon] = r;
            outcomes++;
            if ((p >= 0.5) == (r > 0)) {
                hit++;
            }
        }
        java.util.Arrays.fill(admissibleEitherSide, n, padded, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(admissibleLong, n, padded, Double.NEGATIVE_INFINITY);
        this.outcomeCount = outcomes;
        this.hits = hit;
    }

    private void check(String name, int length) {
        if (length != n) {
            throw new IllegalArgumentException(name + " has " + length + " steps but probability has " + n
                    + "; pass one value per step");
        }
    }

    /** Number of steps. */
    public int size() {
        return n;
    }

    public int horizon() {
        return horizon;
    }

    /**
     * Synthetic steps where the probability carries a real but noisy signal about the forward return, and
     * volatility and trend wander, so that every gate is sometimes decisive; the first 20 steps are cold, and a meta
     * model answers (with a little knowledge) on all but every 13th step. For tests and the JIT's warm-up.
     */
    public static SimulationData synthetic(long seed, int n, int horizon) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] p = new double[n];
        double[] ag = new double[n];
        double[] vol = new double[n];
        double[] trend = new double[n];
        boolean[] warm = new boolean[n];
        double[] fwd = new double[n];
        double[] meta = new double[n];
        double v = 0.015;
        for (int t = 0; t < n; t++) {
            v = Math.max(0.002, Math.min(0.09, v * Math.exp(0.2 * r.nextGaussian())));
            double signal = r.nextGaussian();
            fwd[t] = v * (0.15 * signal + r.nextGaussian());
            p[t] = 1 / (1 + Math.exp(-(0.8 * signal + 0.8 * r.nextGaussian())));
            ag[t] = 0.4 + 0.6 * r.nextDouble();
            vol[t] = v;
            trend[t] = r.nextDouble();
            warm[t] = t >= 20;
            // a meta model that knows a little about whether the ensemble's side wins; none answered on some steps
            double side = p[t] >= 0.5 ? 1 : -1;
            meta[t] = t % 13 == 5 ? Double.NaN : 1 / (1 + Math.exp(-(0.6 * side * signal + 0.5 * r.nextGaussian())));
        }
        return new SimulationData(p, ag, vol, trend, warm, fwd, horizon, 0.0002, meta);
    }
}
