package dev.arbiter.model.drift;

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
                .setPValueThreshold(s.pValueThreshold())
                .setReferenceSampleCount(s.reference().sampleCount())
                .setCurrentSampleCount(s.current().sampleCount())
                .setScore(toProto(s.score()))
                .setEnoughData(s.enoughData())
                .setEvaluatedTsMicros(s.evaluatedTsMicros());
        if (s.reference().sampleCount() > 0) {
            b.setReferenceRange(range(s.reference()));
        }
        if (s.current().sampleCount() > 0) {
            b.setCurrentRange(range(s.current()));
        }
        for (DriftTest t : s.features()) {
            b.addFeatures(toProto(t));
        }
        return b.build();
    }

    static DriftTestResult toProto(DriftTest t) {
        return DriftTestResult.newBuilder()
                .setName(t.name())
                .setKsStatistic(t.ksStatistic())
                .setKsPValue(t.ksPValue())
                .setMannWhitneyU(t.mannWhitneyU())
                .setMannWhitneyPValue(t.mannWhitneyPValue())
                .setDrifted(t.drifted())
                .build();
    }

    /** TimeRange's end is exclusive; a window's last timestamp is inclusive. */
    private static TimeRange range(DriftStatus.Window w) {
        return TimeRange.newBuilder()
                .setStartTsMicros(w.firstTsMicros())
                .setEndTsMicros(w.lastTsMicros() + 1)
                .build();
    }
}
