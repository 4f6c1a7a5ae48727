package dev.arbiter.engine.simulation;

import dev.arbiter.engine.policy.DecisionPolicy;
import dev.arbiter.engine.policy.PolicyInput;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.policy.PolicyResult;
import dev.arbiter.engine.policy.RiskManager;
import dev.arbiter.engine.rules.CompiledRuleSet;

/**
 * The detailed simulation: {@link DecisionPolicy#decide} itself at every step, CEL rules included, with the
 * bookkeeping {@link Simulator} documents, answering every step's decision and pnl as well as the metrics.
 * Backtest reports and Monte Carlo stress tests are built from it; the fast {@link Simulator} (no rules, metrics
 * only) is held equal to it step for step by a test.
 */
public final class PolicySimulation {

    /** Every step's decision. Arrays have one entry per step. */
    public record Trace(int[] direction, double[] size, double[] confidence, double[] pnl, SimulationMetrics metrics) {
    }

    private PolicySimulation() {
    }

    /**
     * @param features     row-major {@code n × featureCount} features for rules (schema order); may be null when
     *                     {@code rules} is empty
     * @param featureCount features per row
     */
    public static Trace run(SimulationData d, PolicyParameters p, CompiledRuleSet rules, double[] features,
                            int featureCount) {
        if (!rules.isEmpty() && (features == null || features.length != d.n * featureCount)) {
            throw new IllegalArgumentException("rules read features: pass n x featureCount = " + d.n + " x "
                    + featureCount + " features");
        }
        DecisionPolicy policy = new DecisionPolicy(p);
        PolicyInput in = new PolicyInput();
        PolicyResult out = new PolicyResult();
        int n = d.n;
        int h = d.horizon;
        int[] direction = new int[n];
        double[] size = new double[n];
        double[] confidence = new double[n];
        double[] pnl = new double[n];
        double[] row = features == null ? null : new double[featureCount];
        double cost2 = 2 * d.costPerTurnover;
        double equity = 0;
        double peak = 0;
        double maxDrawdown = 0;
        double exposure = 0;
        double position = 0;
        int losses = 0;
        int cooldown = 0;
        long actions = 0;
        long wins = 0;
        long falsePositives = 0;
        double total = 0;
        double squares = 0;
        double turnover = 0;
        for (int t = 0; t < n + h; t++) {
            if (t >= h && direction[t - h] != 0) {
                double s = size[t - h];
                double realised = pnl[t - h];
                equity += realised;
                peak = Math.max(peak, equity);
                maxDrawdown = Math.max(maxDrawdown, peak - equity);
                cooldown = RiskManager.cooldownAfter(p, losses, cooldown, realised);
                losses = RiskManager.lossesAfter(p, losses, realised);
                exposure -= s;
                position -= direction[t - h] * s;
            }
            if (t < n) {
                in.set(d.probability[t], d.agreement[t], d.volatility[t], d.trendStrength[t], d.warm[t], peak - equity,
                        exposure, position, cooldown);
                in.metaProbability = d.metaProbability[t];
                if (row != null) {
                    System.arraycopy(features, t * featureCount, row, 0, featureCount);
                    in.features = row;
                }
                policy.decide(in, rules, out);
                confidence[t] = out.confidence;
                if (out.acts()) {
                    direction[t] = out.direction;
                    size[t] = out.size;
                    exposure += out.size;
                    position += out.direction * out.size;
                    double r = d.forwardReturn[t];
                    pnl[t] = out.direction * out.size * r - cost2 * out.size;
                    actions++;
                    turnover += 2 * out.size;
                    double signed = out.direction * r;
                    wins += signed > 0 ? 1 : 0;
                    falsePositives += signed < 0 ? 1 : 0;
                }
                total += pnl[t];
                squares += pnl[t] * pnl[t];
                cooldown = Math.max(cooldown - 1, 0);
            }
        }
        SimulationMetrics m = new SimulationMetrics();
        m.decisionCount = n;
        m.actionCount = actions;
        m.outcomeCount = d.outcomeCount;
        m.hitRate = d.outcomeCount == 0 ? 0 : (double) d.hits / d.outcomeCount;
        m.precision = wins + falsePositives == 0 ? 0 : (double) wins / (wins + falsePositives);
        m.truePositiveActions = wins;
        m.falsePositiveActions = falsePositives;
        m.pnl = total;
        double mean = n == 0 ? 0 : total / n;
        double variance = n == 0 ? 0 : squares / n - mean * mean;
        m.sharpe = variance > 1e-300 ? mean / Math.sqrt(variance) : 0;
        m.maxDrawdown = maxDrawdown;
        m.turnover = turnover;
        return new Trace(direction, size, confidence, pnl, m);
    }
}
