package dev.arbiter.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.engine.experiment.Assignment;
import java.util.List;
import org.junit.jupiter.api.Test;

class AbRoundTest {

    /** The demo computes the contract's hash itself; it must be the one decision-service assigns by (engine). */
    @Test
    void theDemosHashIsDecisionServicesAndItsSeriesAreBalanced() {
        for (String salt : List.of("3f2a9c", "a-much-longer-salt-0123456789", "é")) {
            for (int k = 0; k < 200; k++) {
                String series = "demo-ab-20261207-101500-" + k;
                assertEquals(Assignment.unit(salt, series), AbRound.unitHash(salt, series), series);
            }
        }
        List<String> series = AbRound.balanced("3f2a9c", "20261207-101500");
        assertEquals(AbRound.SERIES, series.size());
        assertEquals(AbRound.SERIES / 2, series.stream().filter(s -> Assignment.unit("3f2a9c", s) < 0.5).count());
        assertEquals(AbRound.SERIES, series.stream().distinct().count());
    }
}
