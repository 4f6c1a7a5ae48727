package dev.arbiter.engine.simulation;

import dev.arbiter.engine.policy.ConfidenceScorer;
import dev.arbiter.engine.policy.DecisionGates;
import dev.arbiter.engine.policy.RiskManager;

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
    /** Trend strength for the trend gate: unknown (NaN) as −∞, which no threshold passes. */
    final double[] trendForGate;
    /** 0 where a warm step leans either way, −∞ elsewhere: added to a gate margin, it refuses the step. */
    final double[] admissibleEitherSide;
    /** 0 where a warm step leans long, −∞ elsewhere (when shorts are not allowed). */
    final double[] admissibleLong;
    final int[] leaning;
    final long outcomeCount;
    final long hits;

    /**
     * @param probability     ensemble (or single-model) probability per step
     * @param agreement       model agreement per step, in [0, 1]
     * @param volatility      volatility feature per step (NaN when unknown)
     * @param trendStrength   trend strength per step (NaN when unknown)
     * @param warm            features warm per step; null = all warm
     * @param forwardReturn   realised return from this step over the horizon, as a fraction; finite
     * @param horizon         steps a position is held before its outcome is realised; ≥ 1
     * @param costPerTurnover cost as a fraction of traded size (charged on opening and on closing)
     */
    public SimulationData(double[] probability, double[] agreement, double[] volatility, double[] trendStrength,
                          boolean[] warm, double[] forwardReturn, int horizon, double costPerTurnover) {
        n = probability.length;
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
        this.agreement = agreement.clone();
        this.volatility = volatility.clone();
        this.trendStrength = trendStrength.clone();
        this.forwardReturn = forwardReturn.clone();
        this.warm = new boolean[n];
        this.edge = new double[n];
        this.halfEdge = new double[n];
        this.inverseVolatility = new double[n];
        this.knownVolatility = new double[n];
        this.knownTrend = new double[n];
        this.trendForGate = new double[n];
        this.admissibleEitherSide = new double[n];
        this.admissibleLong = new double[n];
        this.leaning = new int[n];
        long outcomes = 0;
        long hit = 0;
        for (int t = 0; t < n; t++) {
            double p = probability[t];
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probability[" + t + "] is " + p + "; probabilities lie in [0, 1]");
            }
            this.warm[t] = warm == null || warm[t];
            edge[t] = Math.abs(2 * p - 1);
            halfEdge[t] = Math.abs(p - 0.5);
            double v = volatility[t];
            inverseVolatility[t] = RiskManager.inverseVolatility(v);
            knownVolatility[t] = DecisionGates.knownVolatility(v);
            knownTrend[t] = ConfidenceScorer.knownTrend(trendStrength[t]);
            trendForGate[t] = trendStrength[t] == trendStrength[t] ? trendStrength[t] : Double.NEGATIVE_INFINITY;
            leaning[t] = p > 0.5 ? 1 : p < 0.5 ? -1 : 0;
            admissibleEitherSide[t] = this.warm[t] && leaning[t] != 0 ? 0 : Double.NEGATIVE_INFINITY;
            admissibleLong[t] = this.warm[t] && leaning[t] > 0 ? 0 : Double.NEGATIVE_INFINITY;
            double r = forwardReturn[t];
            if (!Double.isFinite(r)) {
                throw new IllegalArgumentException("forwardReturn[" + t + "] is " + r
                        + "; simulate only steps whose outcome is known (drop the last horizon steps)");
            }
            outcomes++;
            if ((p >= 0.5) == (r > 0)) {
                hit++;
            }
        }
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
}
