package dev.arbiter.engine.simulation;

import java.util.ArrayList;
import java.util.List;

/**
 * Walk-forward fold layout over {@code n} time-ordered rows: each fold trains on a window, skips an embargo gap
 * (at least the label horizon, so no training label peeks into the test window) and tests on the next window.
 * Rolling folds keep the training size and slide; expanding folds keep the start and grow. Test windows of
 * successive folds follow each other by {@code step}. The grid is anchored at the end of the rows: the last test
 * window ends at row {@code n}, so the newest data is always tested, and the earliest rows that do not fill a
 * whole step are left to training. When more folds fit than asked, the latest are kept.
 */
public final class WalkForwardFolds {

    /** One fold: row index ranges, half-open. */
    public record Fold(int index, int trainStart, int trainEnd, int testStart, int testEnd) {
        public int trainSize() {
            return trainEnd - trainStart;
        }

        public int testSize() {
            return testEnd - testStart;
        }
    }

    private WalkForwardFolds() {
    }

    /**
     * @throws IllegalArgumentException naming the setting and the fix when no fold fits
     */
    public static List<Fold> layout(int n, boolean expanding, int train, int test, int step, int gap, int maxFolds) {
        if (train < 1) {
            throw new IllegalArgumentException("train_observations is " + train + "; set the training window size (>= 1)");
        }
        if (test < 1) {
            throw new IllegalArgumentException("test_observations is " + test + "; set the test window size (>= 1)");
        }
        if (step < 1 || gap < 0 || maxFolds < 0) {
            throw new IllegalArgumentException("step must be >= 1, gap >= 0 and max folds >= 0 (got " + step + ", " + gap
                    + ", " + maxFolds + ")");
        }
        List<Fold> folds = new ArrayList<>();
        for (int testStart = n - test; testStart >= train + gap; testStart -= step) {
            int trainEnd = testStart - gap;
            int trainStart = expanding ? 0 : trainEnd - train;
            folds.add(0, new Fold(0, trainStart, trainEnd, testStart, testStart + test));
        }
        if (folds.isEmpty()) {
            throw new IllegalArgumentException("no fold fits: " + n + " labelled rows, but one fold needs train " + train
                    + " + gap " + gap + " + test " + test + " = " + (train + gap + test)
                    + "; shorten the windows or use a longer time range");
        }
        if (maxFolds > 0 && folds.size() > maxFolds) {
            folds = folds.subList(folds.size() - maxFolds, folds.size());
        }
        List<Fold> numbered = new ArrayList<>(folds.size());
        for (int i = 0; i < folds.size(); i++) {
            Fold f = folds.get(i);
            numbered.add(new Fold(i, f.trainStart(), f.trainEnd(), f.testStart(), f.testEnd()));
        }
        return numbered;
    }
}
