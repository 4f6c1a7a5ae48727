package dev.arbiter.model.drift;

import dev.arbiter.engine.drift.QuantityDrift;
import dev.arbiter.engine.stats.PopulationStability.Severity;
import dev.arbiter.proto.v1.DriftSeverity;
import dev.arbiter.proto.v1.DriftTestResult;
import dev.arbiter.proto.v1.ModelDriftStatus;
import dev.arbiter.proto.v1.TimeRange;

/** Maps drift statuses to {@code arbiter.v1} messages for GetDriftStatus. */
public final class DriftProtoMapper {

    private DriftProtoMapper() {
    }

    /** Untested statistics stay NaN (proto doubles carry it); an empty window leaves its range unset. */
    public static ModelDriftStatus toProto(DriftStatus s) {
        ModelDriftStatus.Builder b = ModelDriftStatus.newBuilder()
                .setModelName(s.modelName())
                .setVersion(s.version())
                .setDrifted(s.drifted())
                .setPValueThreshold(s.falseDiscoveryRate())
                .setReferenceSampleCount(s.reference().sampleCount())
                .setCurrentSampleCount(s.current().sampleCount())
                .setScore(toProto(s.score()))
                .setEnoughData(s.enoughData())
                .setEvaluatedTsMicros(s.evaluatedTsMicros())
                .setSeverity(severity(s.severity()))
                .setMinQValue(s.minQValue())
                .setReferenceGeneration(s.about().generation())
                .setReferenceReason(s.about().reason())
                .setReferenceSetTsMicros(s.about().setTsMicros())
                .setReferenceLocalOnly(s.about().localOnly());
        if (s.reference().sampleCount() > 0) {
            b.setReferenceRange(range(s.reference()));
        }
        if (s.current().sampleCount() > 0) {
            b.setCurrentRange(range(s.current()));
        }
        for (QuantityDrift t : s.features()) {
            b.addFeatures(toProto(t));
        }
        return b.build();
    }

    static DriftTestResult toProto(QuantityDrift t) {
        return DriftTestResult.newBuilder()
                .setName(t.name())
                .setKsStatistic(t.ksStatistic())
                .setKsPValue(t.ksPValue())
                .setMannWhitneyU(t.mannWhitneyU())
                .setMannWhitneyPValue(t.mannWhitneyPValue())
                .setDrifted(t.drifted())
                .setTested(t.tested())
                .setPValue(t.pValue())
                .setQValue(t.qValue())
                .setPsi(t.psi())
                .setSeverity(t.tested() ? severity(t.severity()) : DriftSeverity.DRIFT_SEVERITY_UNSPECIFIED)
                .setReferenceEffectiveSize(t.referenceEffectiveSize())
                .setCurrentEffectiveSize(t.recentEffectiveSize())
                .build();
    }

    private static DriftSeverity severity(Severity s) {
        return switch (s) {
            case NONE -> DriftSeverity.DRIFT_SEVERITY_NONE;
            case MODERATE -> DriftSeverity.DRIFT_SEVERITY_MODERATE;
            case SIGNIFICANT -> DriftSeverity.DRIFT_SEVERITY_SIGNIFICANT;
        };
    }

    /** TimeRange's end is exclusive; a window's last timestamp is inclusive. */
    private static TimeRange range(DriftStatus.Window w) {
        return TimeRange.newBuilder()
                .setStartTsMicros(w.firstTsMicros())
                .setEndTsMicros(w.lastTsMicros() + 1)
                .build();
    }
}
