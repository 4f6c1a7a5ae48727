package dev.arbiter.optimizer.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.simulation.Simulator;
import dev.arbiter.optimizer.backtest.TestBacktests;
import dev.arbiter.optimizer.backtest.WalkForwardBacktest;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.StressTestConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RunTrials' batch path: the trials a worker holds, simulated together through {@code Simulator.runAll} (vectorized
 * in this JVM), get exactly the fold values, prunes, refusals and objective values that one trial at a time gets.
 */
class TrialEvaluationTest {

    static TrialEvaluation evaluation;

    @BeforeAll
    static void prepare() {
        WalkForwardBacktest.Prepared prepared = TestBacktests.electricityLogisticRegressionPrepared();
        List<TrialEvaluation.Objective> objectives = List.of(
                new TrialEvaluation.Objective(PerformanceMetrics.getDescriptor().findFieldByName("sharpe"), 0, 0),
                new TrialEvaluation.Objective(PerformanceMetrics.getDescriptor().findFieldByName("action_count"), 0, 0),
                new TrialEvaluation.Objective(PerformanceMetrics.getDescriptor().findFieldByName("false_positive_actions"), 0, 0));
        evaluation = new TrialEvaluation(prepared, PolicyParameters.defaults(), CompiledRuleSet.EMPTY, objectives,
                StressTestConfig.getDefaultInstance());
    }

    @Test
    void theTrialsOfABatchGetWhatEachGetsAlone() {
        assertTrue(Simulator.VECTORIZED, "optimizer-service's tests run with --add-modules jdk.incubator.vector"
                + " (optimizer-service/pom.xml), so the batch takes the vector path");
        SplittableRandom random = new SplittableRandom(18);
        List<Map<String, Double>> trials = new ArrayList<>();
        for (int i = 0; i < 23; i++) { // not a multiple of the SIMD lanes: a partly filled last group
            Map<String, Double> p = new LinkedHashMap<>();
            p.put("gate.min_edge", random.nextDouble(0, 0.2));
            p.put("gate.min_confidence", random.nextDouble(0, 0.6));
            p.put("risk.max_size", random.nextDouble(0.05, 0.5));
            // every fifth: a minimum size above the maximum, which the policy refuses
            p.put("risk.min_size", i % 5 == 4 ? 0.9 : random.nextDouble(0, 0.01));
            trials.add(p);
        }
        // prunes a trial whose sharpe on the second fold falls below the median second-fold sharpe of the accepted
        // trials, so that about half stop after two folds and the rest run to the end
        List<Double> secondFold = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            if (i % 5 != 4) {
                secondFold.add(evaluation.evaluate(trials.get(i), values -> false).foldValues().get(1));
            }
        }
        double median = secondFold.stream().sorted().toList().get(secondFold.size() / 2);
        TrialEvaluation.PruneCheck prune = values -> values.size() == 2 && values.get(1) < median;

        List<TrialEvaluation.Candidate> batch = new ArrayList<>();
        trials.forEach(p -> batch.add(new TrialEvaluation.Candidate(p, prune)));
        evaluation.evaluateAll(batch);

        int pruned = 0;
        int complete = 0;
        int refused = 0;
        for (int i = 0; i < trials.size(); i++) {
            TrialEvaluation.Candidate together = batch.get(i);
            if (i % 5 == 4) {
                int k = i;
                IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
                        () -> evaluation.evaluate(trials.get(k), prune));
                assertEquals(alone.getMessage(), together.refused, "trial " + i);
                assertNull(together.outcome, "trial " + i);
                refused++;
                continue;
            }
            TrialEvaluation.Outcome alone = evaluation.evaluate(trials.get(i), prune);
            assertNull(together.refused, "trial " + i);
            assertNotNull(together.outcome, "trial " + i);
            assertEquals(alone, together.outcome, "trial " + i + " " + trials.get(i));
            if (alone.pruned()) {
                pruned++;
            } else {
                complete++;
                assertTrue(alone.values().get(1) > 0, "a completed trial acts: " + alone);
            }
        }
        assertEquals(4, refused);
        assertTrue(pruned > 0 && complete > 0, "both kinds occur: " + pruned + " pruned, " + complete + " complete");
    }
}
