package dev.arbiter.engine.simulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.rules.RuleCompiler;
import dev.arbiter.engine.rules.RuleDefinition;
import dev.arbiter.engine.rules.RuleKind;
import java.util.List;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimulatorTest {

    static SimulationData synthetic(long seed, int n, int horizon) {
        return SimulationData.synthetic(seed, n, horizon);
    }

    static PolicyParameters randomParameters(SplittableRandom r) {
        return PolicyParameters.defaults().with(Map.of(
                "gate.min_edge", r.nextDouble() * 0.2,
                "gate.min_confidence", r.nextDouble() * 0.6,
                "gate.min_agreement", r.nextDouble(),
                "gate.max_volatility", 0.01 + r.nextDouble() * 0.08,
                "risk.max_size", 0.05 + r.nextDouble() * 0.5,
                "risk.max_series_exposure", 0.1 + r.nextDouble() * 0.9,
                "risk.drawdown_soft", r.nextDouble() * 0.02,
                "risk.drawdown_limit", 0.02 + r.nextDouble() * 0.1,
                "risk.cooldown_losses", (double) r.nextInt(5),
                "policy.allow_short", (double) r.nextInt(2)))
                // references around the data's volatility (0.002 to 0.09), so that side by side simulations
                // disagree on whether a step's volatility is penalised
                .with(Map.of("confidence.volatility_reference", 0.005 + r.nextDouble() * 0.04,
                        "confidence.volatility_penalty", r.nextDouble() * 4))
                // the learned gate off in about a third of the sets, its size weight anywhere
                .with(Map.of("meta.min_probability", Math.max(0, r.nextDouble() * 0.9 - 0.25),
                        "meta.size_weight", r.nextDouble()));
    }

    @Test
    void everyStepEqualsTheLivePolicyUnderTheSameRiskState() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 30; trial++) {
            int horizon = 1 + r.nextInt(5);
            SimulationData data = synthetic(100 + trial, 2_000, horizon);
            PolicyParameters p = trial == 0 ? PolicyParameters.defaults() : randomParameters(r);
            int[] dir = new int[data.size()];
            double[] size = new double[data.size()];
            SimulationMetrics m = new SimulationMetrics();
            new Simulator(data).run(p, Simulator.Mode.FULL_POLICY, new Simulator.Scratch(horizon), m, dir, size);

            PolicySimulation.Trace reference = PolicySimulation.run(data, p, CompiledRuleSet.EMPTY, null, 0);
            assertArrayEquals(reference.direction(), dir, "directions, trial " + trial);
            assertArrayEquals(reference.size(), size, "sizes, trial " + trial);
            double[] fast = new double[SimulationMetrics.FIELDS];
            double[] slow = new double[SimulationMetrics.FIELDS];
            m.writeTo(fast, 0);
            reference.metrics().writeTo(slow, 0);
            assertArrayEquals(slow, fast, 1e-12, "metrics, trial " + trial);
            if (trial == 0) {
                assertTrue(m.actionCount > 50 && m.actionCount < data.size() - 50, "the defaults act sometimes: " + m);
                assertTrue(m.falsePositiveActions > 0 && m.maxDrawdown > 0, m.toString());
            }
        }
    }

    @Test
    void rulesTakePartInTheDetailedSimulation() {
        SimulationData data = synthetic(11, 1_000, 2);
        double[] features = new double[data.size()];
        for (int t = 0; t < data.size(); t++) {
            features[t] = data.volatility[t];
        }
        CompiledRuleSet calmOnly = new RuleCompiler(List.of("vol_20")).compile(List.of(
                new RuleDefinition("calm_only", "features.vol_20 < 0.012", RuleKind.GATE, "act only in calm markets")));
        PolicySimulation.Trace all = PolicySimulation.run(data, PolicyParameters.defaults(), CompiledRuleSet.EMPTY, null, 0);
        PolicySimulation.Trace calm = PolicySimulation.run(data, PolicyParameters.defaults(), calmOnly, features, 1);
        assertTrue(calm.metrics().actionCount < all.metrics().actionCount, calm.metrics() + " vs " + all.metrics());
        for (int t = 0; t < data.size(); t++) {
            if (calm.direction()[t] != 0) {
                assertTrue(data.volatility[t] < 0.012, "step " + t + " acted in a wild market");
            }
        }
    }

    @Test
    void plainThresholdActsOnEveryStepWithEnoughEdgeAtMaxSize() {
        SimulationData data = synthetic(5, 1_000, 3);
        PolicyParameters p = PolicyParameters.defaults().with(Map.of("gate.min_edge", 0.1, "risk.max_size", 0.2));
        int[] dir = new int[data.size()];
        double[] size = new double[data.size()];
        SimulationMetrics m = new SimulationMetrics();
        new Simulator(data).run(p, Simulator.Mode.PLAIN_THRESHOLD, new Simulator.Scratch(3), m, dir, size);
        long expected = 0;
        for (int t = 0; t < data.size(); t++) {
            boolean act = Math.abs(data.probability[t] - 0.5) >= 0.1;
            expected += act ? 1 : 0;
            assertEquals(act ? 0.2 : 0, size[t]);
        }
        assertEquals(expected, m.actionCount);
        assertEquals(m.actionCount, m.truePositiveActions + m.falsePositiveActions, "no ties in continuous returns");
        assertEquals(0.4 * expected, m.turnover, 1e-9);
    }

    @Test
    void metricsFollowTheirDefinitions() {
        // two steps, horizon 1, no costs: LONG wins 1 %, SHORT loses 2 %
        SimulationData data = new SimulationData(new double[] {0.9, 0.1}, new double[] {1, 1}, new double[] {0.01, 0.01},
                new double[] {0.5, 0.5}, null, new double[] {0.01, 0.02}, 1, 0);
        PolicyParameters p = PolicyParameters.defaults().with(Map.of("gate.min_edge", 0.1, "risk.max_size", 0.5));
        SimulationMetrics m = new SimulationMetrics();
        new Simulator(data).run(p, Simulator.Mode.PLAIN_THRESHOLD, new Simulator.Scratch(1), m);
        assertEquals(2, m.actionCount);
        assertEquals(1, m.falsePositiveActions);
        assertEquals(0.5, m.precision);
        assertEquals(0.5, m.hitRate);
        assertEquals(0.5 * 0.01 - 0.5 * 0.02, m.pnl, 1e-15);
        assertEquals(0.01, m.maxDrawdown, 1e-15, "peak 0.005 after the win, then −0.005");
        assertEquals(2.0, m.turnover, 1e-15);
        double mean = m.pnl / 2;
        double sd = Math.sqrt((0.005 * 0.005 + 0.01 * 0.01) / 2 - mean * mean);
        assertEquals(mean / sd, m.sharpe, 1e-12);
    }

    @Test
    void runAllEqualsOneByOne() {
        assertTrue(Simulator.VECTORIZED, "the engine's tests run with --add-modules jdk.incubator.vector (engine/pom.xml),"
                + " so that runAll takes its vectorized path here");
        SplittableRandom r = new SplittableRandom(1);
        for (int horizon = 1; horizon <= 5; horizon += 2) {
            for (SimulationData data : List.of(synthetic(9 + horizon, 1_000, horizon), withGaps(synthetic(20 + horizon, 999, horizon)))) {
                PolicyParameters[] ps = new PolicyParameters[303]; // not a multiple of any vector width
                for (int i = 0; i < ps.length; i++) {
                    ps[i] = i < EDGE_CASES.size() ? PolicyParameters.defaults().with(EDGE_CASES.get(i)) : randomParameters(r);
                }
                Simulator sim = new Simulator(data);
                double[] all = sim.runAll(ps, Simulator.Mode.FULL_POLICY);
                double[] oneByOne = sim.runAllOneByOne(ps, Simulator.Mode.FULL_POLICY);
                SimulationMetrics m = new SimulationMetrics();
                double[] one = new double[SimulationMetrics.FIELDS];
                for (int i = 0; i < ps.length; i++) {
                    sim.run(ps[i], Simulator.Mode.FULL_POLICY, sim.newScratch(), m);
                    m.writeTo(one, 0);
                    for (int f = 0; f < SimulationMetrics.FIELDS; f++) {
                        String where = "horizon " + horizon + ", simulation " + i + ", field " + f;
                        assertEquals(one[f], all[i * SimulationMetrics.FIELDS + f], where);
                        assertEquals(one[f], oneByOne[i * SimulationMetrics.FIELDS + f], where);
                    }
                    if (i < EDGE_CASES.size()) {
                        // the first never acts (drawdown limit 0); every other corner acts sometimes
                        assertEquals(i == 0, m.actionCount == 0, "edge case " + i + ": " + m);
                    }
                }
            }
        }
    }

    /** Parameter sets at the corners of the policy: empty or short brake ranges, gates switched on or off, binding caps. */
    private static final List<Map<String, Double>> EDGE_CASES = List.of(
            Map.of("risk.drawdown_soft", 0.0, "risk.drawdown_limit", 0.0), // never acts: every drawdown is at the limit
            Map.of("risk.drawdown_soft", 0.01, "risk.drawdown_limit", 0.01),
            Map.of("risk.drawdown_soft", 0.0, "risk.drawdown_limit", 0.004),
            Map.of("gate.min_trend", 0.3, "policy.allow_short", 1.0),
            Map.of("risk.min_size", 0.0, "gate.min_confidence", 0.0, "gate.min_agreement", 0.0),
            Map.of("risk.max_series_exposure", 0.02, "risk.max_total_exposure", 0.03, "risk.max_size", 0.5),
            Map.of("risk.cooldown_losses", 1.0, "risk.cooldown_observations", 50.0),
            Map.of("risk.cooldown_losses", 0.0, "confidence.volatility_penalty", 0.0, "confidence.trend_weight", 0.0),
            Map.of("meta.min_probability", 0.55, "meta.size_weight", 1.0), // the learned gate on, sizing fully
            Map.of("meta.min_probability", 0.0, "meta.size_weight", 0.5)); // off, but sizing by the meta model

    /** The same steps with unknown volatility and trend here and there (NaN), as cold features give them. */
    private static SimulationData withGaps(SimulationData d) {
        int n = d.size();
        double[] vol = java.util.Arrays.copyOf(d.volatility, n);
        double[] trend = java.util.Arrays.copyOf(d.trendStrength, n);
        for (int t = 0; t < n; t += 7) {
            vol[t] = Double.NaN;
            trend[t + 3 < n ? t + 3 : t] = Double.NaN;
        }
        return new SimulationData(java.util.Arrays.copyOf(d.probability, n), java.util.Arrays.copyOf(d.agreement, n), vol,
                trend, d.warm, java.util.Arrays.copyOf(d.forwardReturn, n), d.horizon, d.costPerTurnover, d.metaProbability);
    }

    @Test
    void oneSimulationDoesNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        SimulationData data = synthetic(4, 1_000, 3);
        Simulator sim = new Simulator(data);
        Simulator.Scratch scratch = sim.newScratch();
        SimulationMetrics m = new SimulationMetrics();
        PolicyParameters p = PolicyParameters.defaults();
        for (int i = 0; i < 2_000; i++) {
            sim.run(p, Simulator.Mode.FULL_POLICY, scratch, m);
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 2_000; i++) {
            sim.run(p, Simulator.Mode.FULL_POLICY, scratch, m);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 1_000, allocated + " bytes allocated by 2,000 simulations");
    }

    @Test
    void refusesMalformedData() {
        double[] one = {0.5};
        assertThrows(IllegalArgumentException.class, () -> new SimulationData(one, new double[2], one, one, null, one, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SimulationData(one, one, one, one, null, one, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SimulationData(new double[] {1.5}, one, one, one, null, one, 1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new SimulationData(one, new double[] {Double.NaN}, one, one, null, one, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SimulationData(one, one, one, one, null, one, 1, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new SimulationData(one, one, one, one, null, new double[] {Double.NaN}, 1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new SimulationData(one, one, one, one, null, one, 1, 0, new double[] {1.2}));
        assertThrows(IllegalArgumentException.class,
                () -> new SimulationData(one, one, one, one, null, one, 1, 0, new double[2]));
    }
}
