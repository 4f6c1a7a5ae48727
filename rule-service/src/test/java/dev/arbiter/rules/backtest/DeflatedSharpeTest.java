package dev.arbiter.rules.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.PerformanceMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The verdict's arithmetic: a real edge passes once, the same edge found after many tries does not, nor fewer wins. */
class DeflatedSharpeTest {

    private static PerformanceMetrics metrics(double sharpe, long actions, long falsePositives) {
        return PerformanceMetrics.newBuilder().setDecisionCount(2000).setActionCount(actions)
                .setFalsePositiveActions(falsePositives).setSharpe(sharpe).build();
    }

    @Test
    void aClearEdgeFoundAtTheFirstTryIsBetter() {
        DeflatedSharpe.Verdict v = DeflatedSharpe.compare(metrics(0.12, 300, 120), metrics(0.05, 310, 150), List.of(), 0.1, 0.95);
        // z = (0.12 - 0.05) * sqrt(1999) / sqrt(1 + 0.0072) = 3.12
        assertEquals(0.9991, v.deflatedSharpe(), 1e-3);
        assertTrue(v.better(), v.verdict());
    }

    @Test
    void theSameEdgeAfterAThousandTriesIsNotBetter() {
        Random random = new Random(7);
        List<Double> tried = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tried.add(0.05 + 0.04 * random.nextGaussian());
        }
        DeflatedSharpe.Verdict v = DeflatedSharpe.compare(metrics(0.12, 300, 120), metrics(0.05, 310, 150), tried, 0.1, 0.95);
        assertTrue(v.deflatedSharpe() < 0.5, v.verdict());
        assertFalse(v.better());
        assertTrue(v.verdict().contains("1000 proposal(s) tried on this window before"), v.verdict());
    }

    @Test
    void moreThanTheToleratedShareOfWinsGivenUpIsNotBetterWhateverTheSharpe() {
        // wins 100 - 20 = 80 against 310 - 150 = 160: half the wins gone
        DeflatedSharpe.Verdict v = DeflatedSharpe.compare(metrics(0.30, 100, 20), metrics(0.05, 310, 150), List.of(), 0.1, 0.95);
        assertTrue(v.deflatedSharpe() > 0.99);
        assertFalse(v.better(), v.verdict());
        assertTrue(v.verdict().contains("too many fewer"), v.verdict());
    }

    @Test
    void aRuleThatChangesNothingIsNotBetter() {
        List<Double> tried = Collections.nCopies(3, 0.05);
        DeflatedSharpe.Verdict v = DeflatedSharpe.compare(metrics(0.05, 310, 150), metrics(0.05, 310, 150), tried, 0.1, 0.95);
        assertTrue(v.deflatedSharpe() < 0.5, v.verdict());
        assertFalse(v.better());
    }
}
