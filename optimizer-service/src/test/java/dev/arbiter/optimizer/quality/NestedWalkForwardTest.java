package dev.arbiter.optimizer.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.study.Distribution;
import dev.arbiter.engine.study.FloatDistribution;
import dev.arbiter.optimizer.backtest.TestBacktests;
import dev.arbiter.optimizer.backtest.WalkForwardBacktest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nested walk-forward on the real electricity demand: the tuning never reads the unseen folds (no look-ahead), the
 * threshold rows match the tuned policy's wins, and the intervals contain their point estimates.
 */
class NestedWalkForwardTest {

    static WalkForwardBacktest.Prepared prepared;
    static final Map<String, Distribution> SPACE = new LinkedHashMap<>();
    static final NestedWalkForward.Settings SETTINGS;

    static {
        SPACE.put("gate.min_edge", FloatDistribution.of(0, 0.25));
        SPACE.put("gate.min_confidence", FloatDistribution.of(0, 0.8));
        SPACE.put("risk.max_size", FloatDistribution.of(0.05, 0.5));
        SETTINGS = new NestedWalkForward.Settings(2, SPACE, Map.of("meta.min_probability", FloatDistribution.of(0, 0.7)), 60,
                11, NestedWalkForward.Objective.PRECISION, 0.05, 300, 10, 0.53);
    }

    @BeforeAll
    static void prepare() {
        prepared = TestBacktests.electricityLogisticRegressionPrepared();
    }

    /** The same predictions with the unseen folds' rows scrambled: what happens there must not change the tuning. */
    static WalkForwardBacktest.Prepared scrambledUnseen(WalkForwardBacktest.Prepared p, int unseenFolds) {
        int split = p.foldStart()[p.layout().size() - unseenFolds];
        double[] ensemble = p.ensemble().clone();
        double[] best = p.best().clone();
        double[] forward = p.forward().clone();
        double[] meta = p.meta().clone();
        for (int i = split; i < ensemble.length; i++) {
            ensemble[i] = 1 - ensemble[i];
            meta[i] = 1 - meta[i];
            best[i] = 1 - best[i];
            forward[i] = -forward[i] * 1.7;
        }
        return new WalkForwardBacktest.Prepared(p.data(), p.layout(), p.foldStart(), ensemble, p.agreement(), best, p.volatility(),
                p.trend(), forward, p.features(), p.labels(), p.ts(), p.bestNames(), p.foldModelMetrics(), p.costPerTurnover(),
                meta);
    }

    /** The same predictions with the tuning folds' ensemble probabilities shuffled among their rows: no edge there. */
    static WalkForwardBacktest.Prepared shuffledTuning(WalkForwardBacktest.Prepared p, int unseenFolds) {
        int split = p.foldStart()[p.layout().size() - unseenFolds];
        double[] ensemble = p.ensemble().clone();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = split - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double swap = ensemble[i];
            ensemble[i] = ensemble[j];
            ensemble[j] = swap;
        }
        return new WalkForwardBacktest.Prepared(p.data(), p.layout(), p.foldStart(), ensemble, p.agreement(), p.best(),
                p.volatility(), p.trend(), p.forward(), p.features(), p.labels(), p.ts(), p.bestNames(), p.foldModelMetrics(),
                p.costPerTurnover(), p.meta());
    }

    @Test
    void withoutAnEdgeOnTheTuningFoldsTheTunedPolicyStaysOut() {
        NestedWalkForward.Report edge = NestedWalkForward.run(prepared, PolicyParameters.defaults(), SETTINGS);
        assertFalse(edge.stayedOut(), "electricity's ensemble has an edge: " + edge.tuningEdge());
        assertTrue(edge.tuningEdge().low() > 0.5 && edge.tuningEdge().auc() >= 0.53, edge.tuningEdge().toString());
        assertTrue(edge.rows().get(0).metrics().actionCount > 0);

        WalkForwardBacktest.Prepared noEdge = shuffledTuning(prepared, 2);
        NestedWalkForward.Report out = NestedWalkForward.run(noEdge, PolicyParameters.defaults(), SETTINGS);
        assertTrue(out.stayedOut(), "a shuffled ensemble shows no edge: " + out.tuningEdge());
        assertTrue(out.tuningEdge().low() <= 0.5, out.tuningEdge().toString());
        assertEquals(0, out.rows().get(0).metrics().actionCount, "the tuned policy stays out of the unseen folds");
        assertEquals(0, out.rows().get(1).metrics().actionCount, "and so does the one tuned without the learned gate");
        assertEquals(0.0, out.tuned().get("risk.max_size"));
        assertTrue(out.rows().get(2).metrics().actionCount > 0, "the default policy row is not touched");

        NestedWalkForward.Settings unchecked = new NestedWalkForward.Settings(SETTINGS.unseenFolds(), SETTINGS.space(),
                SETTINGS.learnedGateSpace(), SETTINGS.trials(), SETTINGS.seed(), SETTINGS.objective(), SETTINGS.minActionShare(),
                SETTINGS.resamples(), SETTINGS.meanBlockLength(), 0);
        NestedWalkForward.Report acted = NestedWalkForward.run(noEdge, PolicyParameters.defaults(), unchecked);
        assertFalse(acted.stayedOut(), "0 turns the check off");
        assertTrue(acted.rows().get(0).metrics().actionCount > 0, "and the noise-tuned policy acts: " + acted.rows().get(0));
    }

    @Test
    void theTuningNeverReadsTheUnseenFolds() {
        NestedWalkForward.Report report = NestedWalkForward.run(prepared, PolicyParameters.defaults(), SETTINGS);
        NestedWalkForward.Report scrambled = NestedWalkForward.run(scrambledUnseen(prepared, 2), PolicyParameters.defaults(), SETTINGS);
        assertEquals(report.tuned(), scrambled.tuned(), "the tuned parameters depend on the earlier folds only");
        assertEquals(report.tuningObjective(), scrambled.tuningObjective());
        assertNotEquals(report.rows().get(0).metrics().truePositiveActions, scrambled.rows().get(0).metrics().truePositiveActions,
                "while the unseen rows are measured on what they hold");
        assertEquals(report.tuningRows() + report.unseenRows(), prepared.testRows());
        assertEquals(800, report.unseenRows(), "the last two folds of 400");
    }

    @Test
    void theThresholdRowsMatchTheTunedWinsAndIntervalsHoldTheirEstimates() {
        NestedWalkForward.Report report = NestedWalkForward.run(prepared, PolicyParameters.defaults(), SETTINGS);
        assertEquals(List.of("tuned policy", "tuned policy without the learned gate", "default policy",
                        "single best model + threshold", "ensemble + threshold"),
                report.rows().stream().map(NestedWalkForward.Row::name).toList());
        long tunedWins = report.rows().get(0).metrics().truePositiveActions;
        for (NestedWalkForward.Row row : report.rows()) {
            for (NestedWalkForward.Interval i : List.of(row.wins(), row.falsePositives())) {
                assertTrue(i.low() <= i.value() && i.value() <= i.high(), "the interval holds its estimate: " + row);
            }
            assertTrue(row.actionShare() >= 0 && row.actionShare() <= 1);
            assertTrue(row.probabilityOfLoss() >= 0 && row.probabilityOfLoss() <= 1);
        }
        assertTrue(report.tuned().containsKey("meta.min_probability"), "the learned gate is in the tuned space");
        assertFalse(report.tunedWithoutLearnedGate().containsKey("meta.min_probability"));
        for (NestedWalkForward.Row row : report.rows().subList(3, 5)) {
            assertTrue(row.metrics().truePositiveActions >= tunedWins, "at equal or more wins: " + row);
        }
        assertTrue(report.unseenAuc() > 0.8, "the models know the demand's daily shape: " + report.unseenAuc());
    }

    @Test
    void aSplitWithoutFoldsOnBothSidesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> NestedWalkForward.run(prepared, PolicyParameters.defaults(),
                new NestedWalkForward.Settings(prepared.layout().size(), SPACE, Map.of(), 5, 1, NestedWalkForward.Objective.SHARPE, 0,
                        10, 5, 0.53)));
    }
}
