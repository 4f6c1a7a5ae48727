package dev.arbiter.engine.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WalkForwardFoldsTest {

    @Test
    void rollingFoldsSlideWithAnEmbargoGap() {
        List<WalkForwardFolds.Fold> folds = WalkForwardFolds.layout(1_000, false, 500, 100, 100, 5, 0);
        assertEquals(4, folds.size()); // tests start at 600, 700, 800, 900: anchored at the end
        for (WalkForwardFolds.Fold f : folds) {
            assertEquals(500, f.trainSize());
            assertEquals(100, f.testSize());
            assertEquals(5, f.testStart() - f.trainEnd(), "the gap keeps training labels out of the test window");
            assertTrue(f.testEnd() <= 1_000);
        }
        assertEquals(600, folds.get(0).testStart());
        assertEquals(700, folds.get(1).testStart());
        assertEquals(1_000, folds.get(3).testEnd(), "the newest rows are always tested");
    }

    @Test
    void theGridIsAnchoredAtTheEndWhateverTheLengthAndStep() {
        for (int n = 700; n < 1_400; n += 37) {
            for (int step : new int[] {50, 100, 130}) {
                List<WalkForwardFolds.Fold> folds = WalkForwardFolds.layout(n, false, 400, 100, step, 4, 0);
                WalkForwardFolds.Fold last = folds.get(folds.size() - 1);
                assertEquals(n, last.testEnd(), "n " + n + ", step " + step);
                WalkForwardFolds.Fold first = folds.get(0);
                assertTrue(first.testStart() - step < 404, "no further fold fits before the first (n " + n + ")");
                for (int i = 1; i < folds.size(); i++) {
                    assertEquals(step, folds.get(i).testStart() - folds.get(i - 1).testStart());
                    assertEquals(i, folds.get(i).index());
                }
            }
        }
    }

    @Test
    void expandingFoldsKeepTheStartAndMaxFoldsKeepsTheLatest() {
        List<WalkForwardFolds.Fold> folds = WalkForwardFolds.layout(1_000, true, 300, 100, 100, 0, 2);
        assertEquals(2, folds.size());
        assertEquals(0, folds.get(0).index());
        assertEquals(0, folds.get(1).trainStart());
        assertEquals(900, folds.get(1).testStart());
        assertEquals(900, folds.get(1).trainEnd());
    }

    @Test
    void saysWhatToChangeWhenNoFoldFits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WalkForwardFolds.layout(100, false, 90, 20, 20, 0, 0));
        assertTrue(e.getMessage().contains("no fold fits") && e.getMessage().contains("110"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WalkForwardFolds.layout(100, false, 0, 20, 20, 0, 0));
    }
}
