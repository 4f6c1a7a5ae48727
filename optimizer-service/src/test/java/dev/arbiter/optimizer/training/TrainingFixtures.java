package dev.arbiter.optimizer.training;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.LabelDefinition;
import dev.arbiter.optimizer.dataset.TestSeries;
import dev.arbiter.optimizer.dataset.TimeSplit;
import dev.arbiter.proto.v1.CalibrationMethod;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;

/** The real data the training tests fit: electricity demand peaks, split in time with the horizon as embargo. */
final class TrainingFixtures {

    /** Demand exceeds the trailing week's (336 half-hours) 90th percentile within the next two hours. */
    static final LabelDefinition PEAK = new LabelDefinition.ThresholdEvent(4, 336, 90, true);
    static final long SEED = 42;

    private static TimeSplit split;

    private TrainingFixtures() {
    }

    static synchronized TimeSplit electricityPeaks() {
        if (split == null) {
            split = TimeSplit.latest(Dataset.build(TestSeries.electricity(), FeatureConfig.defaults(), PEAK), 0.2);
        }
        return split;
    }

    static TrainingData data(Dataset d) {
        return new TrainingData(d.x(), d.rows(), d.cols(), d.labels(), d.horizon());
    }

    static ModelSettings settings(ModelKind kind, CalibrationMethod calibration) {
        return ModelSettings.of(ModelTrainingConfig.newBuilder().setKind(kind).setCalibration(calibration).build(),
                "model");
    }

    static ModelSettings settings(ModelKind kind) {
        return settings(kind, CalibrationMethod.CALIBRATION_METHOD_UNSPECIFIED);
    }
}
