package dev.arbiter.decision.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.proto.v1.FeatureDecileStatistics;
import dev.arbiter.proto.v1.ObservedRange;
import dev.arbiter.proto.v1.RegimeStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The breakdown against counts worked out by hand on rows built to put the losses where the test says. */
class LossBreakdownTest {

    /**
     * 300 decisions: x = 0..299 as feature "x", volatility = x / 300, trend_strength = x % 2 (choppy on even x,
     * trending on odd); every decision acted, and the ones with x >= 270 (the top decile) or in the high-volatility,
     * trending regime lost, the others won.
     */
    private static List<LossBreakdown.Row> rows() {
        List<LossBreakdown.Row> rows = new ArrayList<>();
        for (int x = 0; x < 300; x++) {
            double vol = x / 300.0;
            double trend = x % 2;
            boolean lost = x >= 270 || (x >= 200 && x % 2 == 1);
            rows.add(new LossBreakdown.Row(Map.of("confidence", x / 299.0, "volatility", vol, "gap", Double.NaN),
                    Map.of("x", (double) x), vol, trend, lost ? -1 : 1));
        }
        return rows;
    }

    @Test
    void lossesAreCountedPerRegimeCutAtTheSamplesOwnTercilesAndMedian() {
        List<RegimeStatistics> regimes = LossBreakdown.of(rows()).regimes();
        assertEquals(6, regimes.size());
        assertEquals(List.of("volatility low, choppy", "volatility low, trending", "volatility mid, choppy",
                "volatility mid, trending", "volatility high, choppy", "volatility high, trending"),
                regimes.stream().map(RegimeStatistics::getRegime).toList());
        // terciles of x/300 over x = 0..299 cut at x = 99.67 and 199.33: 100 decisions each, half odd
        for (RegimeStatistics r : regimes) {
            assertEquals(50, r.getDecisions(), r::toString);
            assertEquals(50, r.getJudgedActions(), r::toString);
        }
        assertEquals(0, regimes.get(0).getFalsePositiveActions());
        assertEquals(0, regimes.get(3).getFalsePositiveActions());
        assertEquals(15, regimes.get(4).getFalsePositiveActions(), "high and choppy: the even x from 270");
        assertEquals(50, regimes.get(5).getFalsePositiveActions(), "high and trending: every odd x from 201");
        assertEquals("volatility >= 0.6644, trend_strength >= 0.5000", regimes.get(5).getDefinition());
    }

    @Test
    void lossesAreCountedPerFeatureDecileWithItsBounds() {
        List<FeatureDecileStatistics> deciles = LossBreakdown.of(rows()).deciles();
        assertEquals(10, deciles.size());
        for (int d = 0; d < 10; d++) {
            FeatureDecileStatistics s = deciles.get(d);
            assertEquals("x", s.getFeature());
            assertEquals(d + 1, s.getDecile());
            assertEquals(30, s.getJudgedActions(), s::toString);
        }
        assertEquals(0, deciles.get(0).getLow());
        assertEquals(29.9, deciles.get(0).getHigh(), 1e-9);
        assertEquals(299, deciles.get(9).getHigh());
        // decile 7 holds x = 180..209, whose odd x from 201 lost
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L, 5L, 15L, 15L, 30L),
                deciles.stream().map(FeatureDecileStatistics::getFalsePositiveActions).toList());
    }

    @Test
    void observedRangesCoverEveryVariableThatWasANumberAndEveryFeature() {
        List<ObservedRange> observed = LossBreakdown.of(rows()).observed();
        assertEquals(List.of("confidence", "volatility", "features.x"), observed.stream().map(ObservedRange::getName).toList(),
                "a variable that was never a number has no range");
        ObservedRange x = observed.get(2);
        assertEquals(300, x.getCount());
        assertEquals(0, x.getMin());
        assertEquals(29.9, x.getP10(), 1e-9);
        assertEquals(149.5, x.getMedian(), 1e-9);
        assertEquals(299, x.getMax());
    }

    @Test
    void withoutRowsThereIsNothingToBreakDown() {
        LossBreakdown.Result r = LossBreakdown.of(List.of());
        assertEquals(List.of(), r.regimes());
        assertEquals(List.of(), r.deciles());
        assertEquals(List.of(), r.observed());
    }
}
