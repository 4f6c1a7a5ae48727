package dev.arbiter.engine.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class PrunersTest {

    /** A trial with values f(step) at steps 0..steps-1, COMPLETE with the last value or RUNNING. */
    private static Trial curve(int number, TrialState state, int steps, IntToDoubleFunction f) {
        var values = new TreeMap<Integer, Double>();
        for (int s = 0; s < steps; s++) {
            values.put(s, f.applyAsDouble(s));
        }
        double[] v = state == TrialState.COMPLETE ? new double[]{values.lastEntry().getValue()} : null;
        return new Trial(number, state, Map.of(), v, values);
    }

    /** Complete trials whose curves decay towards 1 + 0.1 * i. */
    private static List<Trial> completed(int count, int steps) {
        List<Trial> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double level = 1 + 0.1 * i;
            out.add(curve(i, TrialState.COMPLETE, steps, s -> level + 5.0 / (s + 1)));
        }
        return out;
    }

    private static StudyView study(Direction direction, List<Trial> trials, Trial running) {
        List<Trial> all = new ArrayList<>(trials);
        all.add(running);
        return StudyView.of(direction, all);
    }

    @Test
    void medianPrunesABadTrialAndKeepsAGoodOne() {
        var pruner = new MedianPruner();
        var done = completed(9, 10);
        Trial bad = curve(100, TrialState.RUNNING, 3, s -> 20.0);
        Trial good = curve(101, TrialState.RUNNING, 3, s -> 0.5 + 5.0 / (s + 1));
        assertTrue(pruner.shouldPrune(study(Direction.MINIMIZE, done, bad), bad));
        assertFalse(pruner.shouldPrune(study(Direction.MINIMIZE, done, good), good));
        // maximize: the same values mirrored
        var mirrored = new ArrayList<Trial>();
        for (Trial t : done) {
            mirrored.add(curve(t.number(), TrialState.COMPLETE, 10, s -> -t.intermediateValues().get(s)));
        }
        Trial badMax = curve(100, TrialState.RUNNING, 3, s -> -20.0);
        Trial goodMax = curve(101, TrialState.RUNNING, 3, s -> -(0.5 + 5.0 / (s + 1)));
        assertTrue(pruner.shouldPrune(study(Direction.MAXIMIZE, mirrored, badMax), badMax));
        assertFalse(pruner.shouldPrune(study(Direction.MAXIMIZE, mirrored, goodMax), goodMax));
    }

    @Test
    void medianWaitsForStartupTrialsWarmupAndInterval() {
        Trial bad = curve(100, TrialState.RUNNING, 3, s -> 20.0);
        assertFalse(new MedianPruner().shouldPrune(study(Direction.MINIMIZE, completed(4, 10), bad), bad));
        assertTrue(new MedianPruner().shouldPrune(study(Direction.MINIMIZE, completed(5, 10), bad), bad));
        // warm-up: last step 2 < 3
        assertFalse(new MedianPruner(5, 3, 1, 1).shouldPrune(study(Direction.MINIMIZE, completed(9, 10), bad), bad));
        // interval 2 after warm-up 0: step 2 opens a window (previous step 1 < 2); step 3 does not
        Trial bad4 = curve(100, TrialState.RUNNING, 4, s -> 20.0);
        var interval = new MedianPruner(5, 0, 2, 1);
        assertTrue(interval.shouldPrune(study(Direction.MINIMIZE, completed(9, 10), bad), bad));
        assertFalse(interval.shouldPrune(study(Direction.MINIMIZE, completed(9, 10), bad4), bad4));
        // n_min_trials: only 2 complete trials reported step 12
        Trial late = curve(100, TrialState.RUNNING, 13, s -> 20.0);
        var few = new ArrayList<>(completed(6, 10));
        few.add(curve(50, TrialState.COMPLETE, 13, s -> 1.0));
        few.add(curve(51, TrialState.COMPLETE, 13, s -> 1.0));
        assertFalse(new MedianPruner(5, 0, 1, 3).shouldPrune(study(Direction.MINIMIZE, few, late), late));
        assertTrue(new MedianPruner(5, 0, 1, 2).shouldPrune(study(Direction.MINIMIZE, few, late), late));
        // all NaN is pruned
        Trial nan = curve(100, TrialState.RUNNING, 3, s -> Double.NaN);
        assertTrue(new MedianPruner().shouldPrune(study(Direction.MINIMIZE, completed(9, 10), nan), nan));
    }

    @Test
    void percentileUsesNumpysInterpolation() {
        assertEquals(2.5, PercentilePruner.nanPercentile(List.of(1.0, 2.0, 3.0, 4.0), 50), 1e-15);
        assertEquals(1.75, PercentilePruner.nanPercentile(List.of(4.0, Double.NaN, 1.0, 2.0, 3.0), 25), 1e-15);
        // a trial at the 30th percentile: pruned by the 25th, kept by the 75th
        var done = completed(11, 5); // levels 1.0 .. 2.0 at the last step
        Trial mid = curve(100, TrialState.RUNNING, 5, s -> 1.3 + 5.0 / (s + 1));
        assertTrue(new PercentilePruner(25).shouldPrune(study(Direction.MINIMIZE, done, mid), mid));
        assertFalse(new PercentilePruner(75).shouldPrune(study(Direction.MINIMIZE, done, mid), mid));
        var e = assertThrows(IllegalArgumentException.class, () -> new PercentilePruner(120));
        assertTrue(e.getMessage().contains("percentile is 120"));
    }

    @Test
    void successiveHalvingKeepsTheTopQuarterAtEachRung() {
        var pruner = new SuccessiveHalvingPruner(1, 4, 0, 0);
        var done = completed(8, 20);
        Trial bad = curve(100, TrialState.RUNNING, 2, s -> 50.0);
        Trial good = curve(101, TrialState.RUNNING, 2, s -> 0.1);
        assertTrue(pruner.shouldPrune(study(Direction.MINIMIZE, done, bad), bad));
        assertFalse(pruner.shouldPrune(study(Direction.MINIMIZE, done, good), good));
        // before the first rung (step 1) nothing is pruned
        Trial first = curve(102, TrialState.RUNNING, 1, s -> 50.0);
        assertFalse(pruner.shouldPrune(study(Direction.MINIMIZE, done, first), first));
        // second best of 9 at rung 1 is outside the top 9 / 4 = 2 → index 1 (second) kept, third pruned
        Trial second = curve(103, TrialState.RUNNING, 2, s -> 1.05 + 5.0 / (s + 1));
        Trial third = curve(104, TrialState.RUNNING, 2, s -> 1.15 + 5.0 / (s + 1));
        assertFalse(pruner.shouldPrune(study(Direction.MINIMIZE, done, second), second));
        assertTrue(pruner.shouldPrune(study(Direction.MINIMIZE, done, third), third));
        // maximize mirrors it
        Trial goodMax = curve(101, TrialState.RUNNING, 2, s -> 100.0);
        assertFalse(new SuccessiveHalvingPruner(1, 4, 0, 0)
                .shouldPrune(study(Direction.MAXIMIZE, done, goodMax), goodMax));
        assertTrue(new SuccessiveHalvingPruner(1, 4, 0, 0).shouldPrune(study(Direction.MAXIMIZE, done, good), good));
        // automatic minimum resource: nothing completed, nothing pruned
        assertFalse(new SuccessiveHalvingPruner().shouldPrune(study(Direction.MINIMIZE, List.of(), bad), bad));
        // a NaN at a rung prunes
        Trial nan = curve(105, TrialState.RUNNING, 2, s -> Double.NaN);
        assertTrue(pruner.shouldPrune(study(Direction.MINIMIZE, done, nan), nan));
    }

    /**
     * p-values of SciPy 1.17's {@code wilcoxon(d, alternative=a, zero_method="zsplit").pvalue}, printed once:
     * exact (no ties or zeros), permutation (a zero and a tie, n = 6), asymptotic (n = 60).
     */
    @Test
    void signedRankPValuesEqualScipy() {
        assertEquals(0.0048828125, WilcoxonPruner.signedRankPValue(
                new double[]{0.5, 1.2, -0.3, 2.0, 0.8, 1.1, 0.4, -0.2, 0.9, 1.5}, true), 1e-15);
        assertEquals(0.0625, WilcoxonPruner.signedRankPValue(new double[]{0.5, 0.5, -0.3, 0.0, 0.8, 1.1}, true), 1e-15);
        assertEquals(0.015625, WilcoxonPruner.signedRankPValue(
                new double[]{-0.5, -1.2, 0.3, -2.0, -0.8, -1.1, -0.4}, false), 1e-15);
        double[] sixty = new double[60];
        for (int i = 0; i < 60; i++) {
            sixty[i] = 0.1 * i - 0.5;
        }
        assertEquals(3.9100665486411884e-11, WilcoxonPruner.signedRankPValue(sixty, true), 1e-16);
        assertEquals(0.5, WilcoxonPruner.signedRankPValue(new double[]{0.3, -0.1}, true), 1e-15);
    }

    @Test
    void wilcoxonPrunesAFoldByFoldWorseTrialInBothDirections() {
        // folds differ in difficulty; the best trial is 0.1 better on every fold
        IntToDoubleFunction fold = s -> 1.0 + 0.3 * Math.sin(s);
        List<Trial> done = new ArrayList<>();
        done.add(curve(0, TrialState.COMPLETE, 12, s -> fold.applyAsDouble(s) - 0.1));
        done.add(curve(1, TrialState.COMPLETE, 12, s -> fold.applyAsDouble(s) + 0.5));
        var pruner = new WilcoxonPruner();
        for (int steps = 1; steps <= 12; steps++) {
            Trial worse = curve(100, TrialState.RUNNING, steps, s -> fold.applyAsDouble(s) + 0.05 * (s % 3));
            boolean pruned = pruner.shouldPrune(study(Direction.MINIMIZE, done, worse), worse);
            // one-sided exact p with all n differences positive is 2^-n: below 0.1 from 4 steps on
            assertEquals(steps >= 4, pruned, "steps " + steps);
        }
        Trial better = curve(101, TrialState.RUNNING, 12, s -> fold.applyAsDouble(s) - 0.2);
        assertFalse(pruner.shouldPrune(study(Direction.MINIMIZE, done, better), better));
        // maximize: negate everything
        List<Trial> doneMax = new ArrayList<>();
        for (Trial t : done) {
            doneMax.add(curve(t.number(), TrialState.COMPLETE, 12, s -> -t.intermediateValues().get(s)));
        }
        Trial worseMax = curve(100, TrialState.RUNNING, 8, s -> -(fold.applyAsDouble(s) + 0.05 * (s % 3)));
        Trial betterMax = curve(101, TrialState.RUNNING, 8, s -> -(fold.applyAsDouble(s) - 0.2));
        assertTrue(pruner.shouldPrune(study(Direction.MAXIMIZE, doneMax, worseMax), worseMax));
        assertFalse(pruner.shouldPrune(study(Direction.MAXIMIZE, doneMax, betterMax), betterMax));
        // n_startup_steps 6: not before 6 common steps
        Trial five = curve(100, TrialState.RUNNING, 5, s -> fold.applyAsDouble(s) + 0.5);
        assertFalse(new WilcoxonPruner(0.1, 6).shouldPrune(study(Direction.MINIMIZE, done, five), five));
        assertTrue(new WilcoxonPruner(0.1, 5).shouldPrune(study(Direction.MINIMIZE, done, five), five));
    }

    @Test
    void wilcoxonSafetyAndMissingData() {
        // worse on most folds but better on average (one fold much better): not pruned
        List<Trial> done = List.of(curve(0, TrialState.COMPLETE, 10, s -> 1.0));
        Trial mixed = curve(100, TrialState.RUNNING, 10, s -> s == 0 ? -5.0 : 1.1);
        var pruner = new WilcoxonPruner(0.5, 2);
        assertFalse(pruner.shouldPrune(study(Direction.MINIMIZE, done, mixed), mixed));
        // no complete trial, or one without intermediate values, or infinite values: no decision
        Trial bad = curve(100, TrialState.RUNNING, 10, s -> 9.0);
        assertFalse(pruner.shouldPrune(study(Direction.MINIMIZE, List.of(), bad), bad));
        var bare = List.of(new Trial(0, TrialState.COMPLETE, Map.of(), new double[]{1}, null));
        assertFalse(pruner.shouldPrune(study(Direction.MINIMIZE, bare, bad), bad));
        Trial inf = curve(100, TrialState.RUNNING, 10, s -> s == 3 ? Double.POSITIVE_INFINITY : 9.0);
        assertFalse(pruner.shouldPrune(study(Direction.MINIMIZE, done, inf), inf));
        assertTrue(pruner.shouldPrune(study(Direction.MINIMIZE, done, bad), bad));
    }
}
