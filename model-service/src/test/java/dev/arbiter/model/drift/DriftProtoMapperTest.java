package dev.arbiter.model.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.drift.FeatureScale;
import dev.arbiter.engine.drift.QuantityDrift;
import dev.arbiter.engine.stats.PopulationStability.Severity;
import dev.arbiter.proto.v1.DriftSeverity;
import dev.arbiter.proto.v1.DriftTestResult;
import dev.arbiter.proto.v1.ModelDriftStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftProtoMapperTest {

    @Test
    void mapsEveryField() {
        QuantityDrift a = new QuantityDrift("a", FeatureScale.RETURN, 0.4, 1e-9, 61_000, 2e-8, 150.5, 75.25, 4e-8,
                1.2e-7, 0.31, Severity.SIGNIFICANT, true);
        QuantityDrift level = QuantityDrift.untested("sma_20", FeatureScale.LEVEL);
        QuantityDrift score = new QuantityDrift(DriftMonitor.SCORE, FeatureScale.RETURN, 0.05, 0.6, 46_000, 0.7, 300,
                290, 1.0, 1.0, 0.02, Severity.NONE, false);
        DriftStatus s = new DriftStatus("churn", 3, 0.01, new DriftStatus.Window(300, 100, 399),
                new DriftStatus.Window(250, 400, 649), List.of(a, level), score, true, 1_000_000,
                new DriftStatus.Reference(4, "refresh", 777, false));

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
        assertEquals(DriftSeverity.DRIFT_SEVERITY_SIGNIFICANT, p.getSeverity());
        assertEquals(1.2e-7, p.getMinQValue());
        assertEquals(4, p.getReferenceGeneration());
        assertEquals("refresh", p.getReferenceReason());
        assertEquals(777, p.getReferenceSetTsMicros());
        assertFalse(p.getReferenceLocalOnly());
        assertEquals(2, p.getFeaturesCount());
        DriftTestResult f = p.getFeatures(0);
        assertEquals("a", f.getName());
        assertEquals(0.4, f.getKsStatistic());
        assertEquals(1e-9, f.getKsPValue());
        assertEquals(61_000, f.getMannWhitneyU());
        assertEquals(2e-8, f.getMannWhitneyPValue());
        assertEquals(4e-8, f.getPValue());
        assertEquals(1.2e-7, f.getQValue());
        assertEquals(0.31, f.getPsi());
        assertEquals(DriftSeverity.DRIFT_SEVERITY_SIGNIFICANT, f.getSeverity());
        assertEquals(150.5, f.getReferenceEffectiveSize());
        assertEquals(75.25, f.getCurrentEffectiveSize());
        assertTrue(f.getTested());
        assertTrue(f.getDrifted());
        DriftTestResult untested = p.getFeatures(1);
        assertFalse(untested.getTested());
        assertEquals(DriftSeverity.DRIFT_SEVERITY_UNSPECIFIED, untested.getSeverity());
        assertTrue(Double.isNaN(untested.getQValue()));
        assertEquals(DriftMonitor.SCORE, p.getScore().getName());
        assertEquals(0.7, p.getScore().getMannWhitneyPValue());
        assertEquals(DriftSeverity.DRIFT_SEVERITY_NONE, p.getScore().getSeverity());
        assertFalse(p.getScore().getDrifted());
    }

    @Test
    void untestedStaysNaNAndEmptyWindowsHaveNoRange() {
        DriftStatus s = DriftStatus.unmonitored("churn", 1, 0.01, 5);

        ModelDriftStatus p = DriftProtoMapper.toProto(s);

        assertFalse(p.hasReferenceRange());
        assertFalse(p.hasCurrentRange());
        assertTrue(Double.isNaN(p.getScore().getKsPValue()));
        assertTrue(Double.isNaN(p.getScore().getMannWhitneyPValue()));
        assertTrue(Double.isNaN(p.getMinQValue()));
        assertFalse(p.getScore().getDrifted());
        assertFalse(p.getEnoughData());
        assertEquals(DriftSeverity.DRIFT_SEVERITY_NONE, p.getSeverity());
        assertEquals(0, p.getReferenceGeneration());
    }
}
