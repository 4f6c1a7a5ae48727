package dev.arbiter.optimizer.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.optimizer.dataset.LabelDefinition.ForwardReturnSign;
import dev.arbiter.optimizer.dataset.LabelDefinition.ThresholdEvent;
import dev.arbiter.optimizer.dataset.LabelDefinition.TieRule;
import dev.arbiter.optimizer.history.SeriesHistory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LabelerTest {

    private static final byte U = Labeler.UNLABELLED;

    @Test
    void forwardReturnSignResolvesTiesAsAsked() {
        double[] v = {10, 11, 11, 10.5, 10.5 * 1.0005, 12};
        // Forward returns over 1 step: +10 %, 0 (tie), -4.5 %, +0.05 % (a tie within 0.001), +14.3 %, end.
        assertArrayEquals(new byte[] {1, U, 0, 1, 1, U}, label(v, 1, TieRule.DROP, 0.0));
        assertArrayEquals(new byte[] {1, 0, 0, 1, 1, U}, label(v, 1, TieRule.NEGATIVE, 0.0));
        assertArrayEquals(new byte[] {1, 1, 0, 1, 1, U}, label(v, 1, TieRule.POSITIVE, 0.0));
        assertArrayEquals(new byte[] {1, U, 0, U, 1, U}, label(v, 1, TieRule.DROP, 0.001));
        assertArrayEquals(new byte[] {1, 0, 0, 0, 1, U}, label(v, 1, TieRule.NEGATIVE, 0.001));
        assertArrayEquals(new byte[] {1, 1, 0, 1, 1, U}, label(v, 1, TieRule.POSITIVE, 0.001));

        Labeler.Labels dropped = Labeler.label(v, new ForwardReturnSign(1, TieRule.DROP, 0.001));
        assertEquals(2, dropped.tiesDropped());
        assertEquals(1, dropped.beyondEnd());
    }

    @Test
    void forwardReturnIsTheRealisedReturnOverTheHorizonAndUnknownPastTheEnd() {
        double[] v = {100, 102, 99, 103, 101};
        Labeler.Labels l = Labeler.label(v, new ForwardReturnSign(2, TieRule.DROP, 0.0));
        assertEquals(99.0 / 100 - 1, l.forwardReturn()[0]);
        assertEquals(103.0 / 102 - 1, l.forwardReturn()[1]);
        assertEquals(101.0 / 99 - 1, l.forwardReturn()[2]);
        assertTrue(Double.isNaN(l.forwardReturn()[3]) && Double.isNaN(l.forwardReturn()[4]));
        assertArrayEquals(new byte[] {0, 1, 1, U, U}, l.label());
        assertEquals(2, l.beyondEnd());
    }

    @Test
    void aHorizonLongerThanTheSeriesLabelsNothing() {
        Labeler.Labels l = Labeler.label(new double[] {1, 2, 3}, new ForwardReturnSign(5, TieRule.DROP, 0.0));
        assertArrayEquals(new byte[] {U, U, U}, l.label());
        assertEquals(3, l.beyondEnd());
    }

    @Test
    void thresholdEventLooksForACrossingOfTheTrailingPercentileWithinTheHorizon() {
        // Window 3, median: thresholds from index 2 on are the median of v[i-2..i].
        double[] v = {5, 1, 3, 2, 4, 9, 1, 1};
        // i=2: median(5,1,3)=3, next 2: {2,4} -> 4 > 3 -> 1
        // i=3: median(1,3,2)=2, next: {4,9} -> 1
        // i=4: median(3,2,4)=3, next: {9,1} -> 1
        // i=5: median(2,4,9)=4, next: {1,1} -> 0
        // i=6,7: horizon past the end
        Labeler.Labels above = Labeler.label(v, new ThresholdEvent(2, 3, 50, true));
        assertArrayEquals(new byte[] {U, U, 1, 1, 1, 0, U, U}, above.label());
        assertEquals(2, above.beforeWindow());
        assertEquals(2, above.beyondEnd());
        // Below: i=2 thr 3: {2,4} -> 2 < 3 -> 1; i=3 thr 2: {4,9} -> 0; i=4 thr 3: {9,1} -> 1; i=5 thr 4: {1,1} -> 1
        assertArrayEquals(new byte[] {U, U, 1, 0, 1, 1, U, U},
                Labeler.label(v, new ThresholdEvent(2, 3, 50, false)).label());
    }

    @Test
    void aValueEqualToTheThresholdIsNotACrossing() {
        // Medians: {1,3,5} -> 3 then {3,5,3} -> 3; the next values are 3: equal, not above.
        assertArrayEquals(new byte[] {U, U, 0, 0, U},
                Labeler.label(new double[] {1, 3, 5, 3, 3}, new ThresholdEvent(1, 3, 50, true)).label());
        assertArrayEquals(new byte[] {U, U, 0, 0, U},
                Labeler.label(new double[] {3, 3, 3, 3, 3}, new ThresholdEvent(1, 3, 50, true)).label());
    }

    @Test
    void theSlidingWindowGivesTheThresholdsAFreshSortGives() {
        Random random = new Random(7);
        double[] v = new double[600];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1 + random.nextInt(40) * 0.5; // many repeated values: the slide must handle duplicates
        }
        for (double percentile : new double[] {1, 10, 50, 90, 97.5}) {
            for (int window : new int[] {2, 7, 48}) {
                ThresholdEvent t = new ThresholdEvent(3, window, percentile, percentile > 50);
                assertArrayEquals(bruteForce(v, t), Labeler.label(v, t).label(), "p" + percentile + " w" + window);
            }
        }
    }

    @Test
    void realMsftClosesInSixteenthsHaveTiesThatEachRuleResolves() {
        SeriesHistory msft = TestSeries.msft();
        Labeler.Labels drop = Labeler.label(msft.value(), new ForwardReturnSign(1, TieRule.DROP, 0.0));
        Labeler.Labels negative = Labeler.label(msft.value(), new ForwardReturnSign(1, TieRule.NEGATIVE, 0.0));
        Labeler.Labels positive = Labeler.label(msft.value(), new ForwardReturnSign(1, TieRule.POSITIVE, 0.0));
        int ties = 0;
        for (int i = 0; i + 1 < msft.size(); i++) {
            boolean tie = msft.value()[i + 1] == msft.value()[i];
            if (tie) {
                ties++;
                assertEquals(U, drop.label()[i]);
                assertEquals(0, negative.label()[i]);
                assertEquals(1, positive.label()[i]);
            } else {
                assertEquals(msft.value()[i + 1] > msft.value()[i] ? 1 : 0, drop.label()[i]);
                assertEquals(drop.label()[i], negative.label()[i]);
                assertEquals(drop.label()[i], positive.label()[i]);
            }
        }
        assertTrue(ties > 0, "MSFT closes in 1/16ths repeat from one day to the next");
        assertEquals(ties, drop.tiesDropped());
    }

    @Test
    void badValuesAndDefinitionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Labeler.label(new double[] {1, Double.NaN},
                new ForwardReturnSign(1, TieRule.DROP, 0)));
        assertThrows(IllegalArgumentException.class, () -> Labeler.label(new double[] {1, 0},
                new ForwardReturnSign(1, TieRule.DROP, 0)));
        assertThrows(IllegalArgumentException.class, () -> new ForwardReturnSign(0, TieRule.DROP, 0));
        assertThrows(IllegalArgumentException.class, () -> new ForwardReturnSign(1, TieRule.DROP, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new ThresholdEvent(1, 1, 50, true));
        assertThrows(IllegalArgumentException.class, () -> new ThresholdEvent(1, 5, 100, true));
        assertThrows(IllegalArgumentException.class, () -> new ThresholdEvent(1, 5, 0, true));
    }

    private static byte[] label(double[] v, int horizon, TieRule ties, double tolerance) {
        return Labeler.label(v, new ForwardReturnSign(horizon, ties, tolerance)).label();
    }

    private static byte[] bruteForce(double[] v, ThresholdEvent t) {
        byte[] out = new byte[v.length];
        Arrays.fill(out, U);
        int w = t.trailingWindow();
        for (int i = w - 1; i + t.horizon() < v.length; i++) {
            double[] window = Arrays.copyOfRange(v, i - w + 1, i + 1);
            Arrays.sort(window);
            double pos = t.percentile() / 100 * (w - 1);
            int lo = (int) Math.floor(pos);
            double threshold = lo + 1 < w ? window[lo] + (pos - lo) * (window[lo + 1] - window[lo]) : window[lo];
            byte label = 0;
            for (int j = i + 1; j <= i + t.horizon(); j++) {
                if (t.above() ? v[j] > threshold : v[j] < threshold) {
                    label = 1;
                }
            }
            out[i] = label;
        }
        return out;
    }
}
