package dev.arbiter.optimizer.backtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.simulation.SimulationData;
import dev.arbiter.engine.simulation.SimulationMetrics;
import dev.arbiter.engine.simulation.Simulator;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.LabelDefinition;
import dev.arbiter.optimizer.dataset.TestSeries;
import dev.arbiter.optimizer.training.ModelSettings;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.ParameterValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A walk-forward backtest of the real half-hourly electricity demand with the four model kinds. */
class WalkForwardBacktestTest {

    static Dataset data;
    static WalkForwardBacktest.Settings settings;
    static WalkForwardBacktest.Result result;

    static List<ModelSettings> fourKinds() {
        return WalkForwardBacktest.members(List.of(
                member(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, Map.of("n_estimators", 60L)),
                member(ModelKind.MODEL_KIND_RANDOM_FOREST, Map.of("n_estimators", 40L)),
                member(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, Map.of()),
                member(ModelKind.MODEL_KIND_LINEAR_SVM, Map.of())));
    }

    static ModelTrainingConfig member(ModelKind kind, Map<String, Long> ints) {
        ModelTrainingConfig.Builder b = ModelTrainingConfig.newBuilder().setKind(kind);
        ints.forEach((k, v) -> b.putHyperparameters(k, ParameterValue.newBuilder().setIntValue(v).build()));
        return b.build();
    }

    @BeforeAll
    static void run() {
        data = Dataset.build(TestSeries.electricity(), FeatureConfig.defaults(),
                new LabelDefinition.ForwardReturnSign(4, LabelDefinition.TieRule.DROP, 0));
        settings = new WalkForwardBacktest.Settings(fourKinds(), PolicyParameters.defaults(), CompiledRuleSet.EMPTY,
                false, 1_500, 500, 500, 4, 0, 0.0, 42);
        result = WalkForwardBacktest.run(data, settings, (fold, count) -> { });
        System.out.println("walk-forward on electricity demand: " + result.folds().size() + " folds, "
                + result.testTsMicros().length + " test rows");
        for (WalkForwardBacktest.AblationRow row : result.ablation()) {
            System.out.println("  " + row.name() + ": " + row.total());
        }
    }

    @Test
    void foldsTestOutOfSampleAfterAnEmbargo() {
        assertTrue(result.folds().size() >= 3, result.folds().size() + " folds");
        for (WalkForwardBacktest.Fold f : result.folds()) {
            assertEquals(1_500, f.layout().trainSize());
            assertEquals(500, f.layout().testSize());
            assertTrue(f.testStartTs() > f.trainEndTs(), "test starts after training ends");
            assertEquals(4, f.layout().testStart() - f.layout().trainEnd(), "embargo of the label horizon");
            assertEquals(500, f.metrics().decisionCount);
            assertTrue(f.modelMetrics().brierScore() < 0.25 + 0.02, "members learn something: " + f.modelMetrics());
        }
        assertEquals(result.folds().size() * 500, result.decisionPnl().length);
    }

    @Test
    void thresholdRowsWinAtLeastAsOftenAsTheFullPolicy() {
        assertEquals(4, result.ablation().size(), "three rows and the learned gate's");
        WalkForwardBacktest.AblationRow full = result.ablation().get(2);
        assertEquals("ENSEMBLE_GATED_RISK", full.variant());
        assertTrue(full.total().actionCount > 0, "the full policy acts on real data: " + full.total());
        for (WalkForwardBacktest.AblationRow row : result.ablation().subList(0, 2)) {
            assertTrue(row.total().truePositiveActions >= full.total().truePositiveActions,
                    row.name() + " " + row.total() + " vs " + full.total());
            assertEquals(result.folds().size(), row.folds().size());
        }
        double pnl = 0;
        for (double x : result.decisionPnl()) {
            pnl += x;
        }
        assertEquals(full.total().pnl, pnl, 1e-12, "the per-decision pnl is what the totals sum");
    }

    @Test
    void theNewestRowsAreTested() {
        WalkForwardBacktest.Fold last = result.folds().get(result.folds().size() - 1);
        assertEquals(data.rows(), last.layout().testEnd(), "the grid is anchored at the end of the series");
    }

    @Test
    void theEnsembleThresholdMatchesTheFullPolicysWinsAsCloselyAsTheDataAllows() {
        long target = result.ablation().get(2).total().truePositiveActions;
        WalkForwardBacktest.AblationRow row = result.ablation().get(1);
        long chosen = row.total().truePositiveActions;
        double[] p = result.testProbabilities();
        double[] forward = new double[p.length];
        int at = 0;
        for (WalkForwardBacktest.Fold f : result.folds()) {
            for (int r = f.layout().testStart(); r < f.layout().testEnd(); r++) {
                forward[at++] = data.forwardReturns()[r];
            }
        }
        double[] ones = new double[p.length];
        java.util.Arrays.fill(ones, 1);
        Simulator simulator = new Simulator(new SimulationData(p, ones, new double[p.length], new double[p.length], null,
                forward, data.horizon(), settings.costPerTurnover()));
        SimulationMetrics m = new SimulationMetrics();
        long closestAtOrAbove = Long.MAX_VALUE;
        for (double edge : WalkForwardBacktest.candidateEdges(p)) {
            simulator.run(settings.parameters().with(PolicyParameter.GATE_MIN_EDGE, edge), Simulator.Mode.PLAIN_THRESHOLD,
                    simulator.newScratch(), m);
            if (m.truePositiveActions >= target) {
                closestAtOrAbove = Math.min(closestAtOrAbove, m.truePositiveActions);
            }
        }
        assertTrue(closestAtOrAbove != Long.MAX_VALUE, "some threshold reaches the full policy's wins");
        assertEquals(closestAtOrAbove, chosen, "no threshold gets closer to " + target + " wins from above");
        simulator.run(settings.parameters().with(PolicyParameter.GATE_MIN_EDGE, row.threshold()), Simulator.Mode.PLAIN_THRESHOLD,
                simulator.newScratch(), m);
        assertEquals(chosen, m.truePositiveActions, "the reported threshold is the one the row ran at");
    }

    @Test
    void sameSeedSameReport() {
        WalkForwardBacktest.Result again = WalkForwardBacktest.run(data, settings, (fold, count) -> { });
        assertArrayEquals(result.decisionPnl(), again.decisionPnl());
        assertArrayEquals(result.testProbabilities(), again.testProbabilities());
    }

    /** The skill weights of members predicting {@code p} on selection rows labelled {@code y}. */
    static double[] weights(int[] y, double[]... p) {
        double[] brier = new double[p.length];
        for (int m = 0; m < p.length; m++) {
            brier[m] = dev.arbiter.optimizer.training.ProbabilityMetrics.of(p[m], y).brierScore();
        }
        return WalkForwardBacktest.skillWeights(brier, y);
    }

    @Test
    void membersAreWeightedByTheirSquaredBrierSkillOnTheSelectionRows() {
        int[] y = {1, 0, 1, 0, 1, 0, 1, 1};
        double[] perfect = {1, 0, 1, 0, 1, 0, 1, 1};
        double[] baseRate = new double[y.length];
        java.util.Arrays.fill(baseRate, 5.0 / 8);
        double[] half = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            half[i] = 0.5 * perfect[i] + 0.5 * baseRate[i];
        }
        // skill 1 against skill 0: all the weight on the perfect member
        assertArrayEquals(new double[] {1, 0}, weights(y, perfect, baseRate), 1e-12);
        // halfway to perfect: Brier a quarter of the base rate's, skill 0.75, squared 0.5625 against 1
        assertArrayEquals(new double[] {1 / 1.5625, 0.5625 / 1.5625},
                weights(y, perfect, half), 1e-12);
        // nobody better than the base rate, or no selection rows: equal shares
        double[] wrong = {0, 1, 0, 1, 0, 1, 0, 0};
        assertArrayEquals(new double[] {0.5, 0.5}, weights(y, wrong, baseRate), 1e-12);
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0},
                WalkForwardBacktest.skillWeights(new double[3], new int[0]), 1e-12);
        // the ensemble and its agreement read the weights
        double[][] p = {{0.9}, {0.2}};
        double[] w = {0.75, 0.25};
        assertEquals(0.725, WalkForwardBacktest.mean(p, w, 0), 1e-12);
        assertEquals(0.75, WalkForwardBacktest.agreement(p, w, 0, 0.725), 1e-12);
    }
}
