package dev.arbiter.model.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.DriftTestResult;
import dev.arbiter.proto.v1.ModelDriftStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftProtoMapperTest {

    @Test
    void mapsEveryField() {
        DriftTest a = new DriftTest("a", 0.4, 1e-9, 61_000, 2e-8, true);
        DriftTest score = new DriftTest(DriftMonitor.SCORE, 0.05, 0.6, 46_000, 0.7, false);
        DriftStatus s = new DriftStatus("churn", 3, true, 0.01, new DriftStatus.Window(300, 100, 399),
                new DriftStatus.Window(250, 400, 649), List.of(a), score, true, 1_000_000);

        ModelDriftStatus p = DriftProtoMapper.toProto(s);

        assertEquals("churn", p.getModelName());
        assertEquals(3, p.getVersion());
        assertTrue(p.getDrifted());
        assertEquals(0.01, p.getPValueThreshold());
        assertEquals(300, p.getReferenceSampleCount());
        assertEquals(250, p.getCurrentSampleCount());
        assertEquals(100, p.getReferenceRange().getStartTsMicros());
        assertEquals(400, p.getReferenceRange().getEndTsMicros(), "end is exclusive");
        assertEquals(400, p.getCurrentRange().getStartTsMicros());
        assertEquals(650, p.getCurrentRange().getEndTsMicros());
        assertTrue(p.getEnoughData());
        assertEquals(1_000_000, p.getEvaluatedTsMicros());
        assertEquals(1, p.getFeaturesCount());
        DriftTestResult f = p.getFeatures(0);
        assertEquals("a", f.getName());
        assertEquals(0.4, f.getKsStatistic());
        assertEquals(1e-9, f.getKsPValue());
        assertEquals(61_000, f.getMannWhitneyU());
        assertEquals(2e-8, f.getMannWhitneyPValue());
        assertTrue(f.getDrifted());
        assertEquals(DriftMonitor.SCORE, p.getScore().getName());
        assertEquals(0.7, p.getScore().getMannWhitneyPValue());
        assertFalse(p.getScore().getDrifted());
    }

    @Test
    void untestedStaysNaNAndEmptyWindowsHaveNoRange() {
        DriftStatus s = new DriftStatus("churn", 1, false, 0.01, DriftStatus.Window.EMPTY, DriftStatus.Window.EMPTY,
                List.of(), DriftTest.untested(DriftMonitor.SCORE), false, 5);

        ModelDriftStatus p = DriftProtoMapper.toProto(s);

        assertFalse(p.hasReferenceRange());
        assertFalse(p.hasCurrentRange());
        assertTrue(Double.isNaN(p.getScore().getKsPValue()));
        assertTrue(Double.isNaN(p.getScore().getMannWhitneyPValue()));
        assertFalse(p.getScore().getDrifted());
        assertFalse(p.getEnoughData());
    }
}
