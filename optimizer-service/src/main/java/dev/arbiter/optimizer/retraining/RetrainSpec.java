package dev.arbiter.optimizer.retraining;

import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.RegistrationPolicy;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.TrainingSpec;
import java.util.function.ToLongFunction;

/** The spec a retraining runs: the champion's, on the latest history, registered only when better with confidence. */
final class RetrainSpec {

    private RetrainSpec() {}

    /**
     * The champion's spec with: a set range moved to end at the latest stored observation of its series (the largest
     * {@code endOf} among them, an exclusive end) and keep its length; an unset range left unset (all stored history,
     * new observations included); the registration policy IF_SIGNIFICANTLY_BETTER; {@code challenger} as the model
     * when not null; {@code description}.
     */
    static TrainingSpec of(TrainingSpec champion, ToLongFunction<String> endOf, ModelTrainingConfig challenger,
                           String description) {
        TrainingSpec.Builder b = champion.toBuilder()
                .setRegistration(RegistrationPolicy.REGISTRATION_POLICY_IF_SIGNIFICANTLY_BETTER)
                .setDescription(description);
        if (challenger != null) {
            b.setModel(challenger);
        }
        TimeRange r = champion.getRange();
        if (champion.hasRange() && r.getEndTsMicros() != 0) {
            long end = champion.getSeriesIdsList().stream().mapToLong(endOf).max().orElse(r.getEndTsMicros());
            if (end > r.getEndTsMicros()) {
                long length = r.getStartTsMicros() == 0 ? 0 : r.getEndTsMicros() - r.getStartTsMicros();
                b.setRange(TimeRange.newBuilder().setStartTsMicros(length == 0 ? 0 : end - length).setEndTsMicros(end));
            }
        }
        return b.build();
    }
}
