package dev.arbiter.optimizer.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.RegistrationPolicy;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.TrainingSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrainSpecTest {

    private static final TrainingSpec CHAMPION = TrainingSpec.newBuilder().setModelName("m").addSeriesIds("a")
            .addSeriesIds("b").setModel(ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION))
            .setRegistration(RegistrationPolicy.REGISTRATION_POLICY_IF_BETTER).setSeed(7).setValidationFraction(0.3)
            .setRange(TimeRange.newBuilder().setStartTsMicros(1_000).setEndTsMicros(5_000)).build();
    private static final Map<String, Long> ENDS = Map.of("a", 9_000L, "b", 12_000L);

    @Test
    void aClosedRangeMovesToTheLatestObservationAndKeepsItsLength() {
        TrainingSpec s = RetrainSpec.of(CHAMPION, ENDS::get, null, "why");
        assertEquals(TimeRange.newBuilder().setStartTsMicros(8_000).setEndTsMicros(12_000).build(), s.getRange());
        assertEquals(RegistrationPolicy.REGISTRATION_POLICY_IF_SIGNIFICANTLY_BETTER, s.getRegistration());
        assertEquals("why", s.getDescription());
        assertEquals(CHAMPION.getModel(), s.getModel());
        assertEquals(CHAMPION.getSeriesIdsList(), s.getSeriesIdsList());
        assertEquals(7, s.getSeed());
        assertEquals(0.3, s.getValidationFraction());
    }

    @Test
    void openRangesAndNoNewHistoryStayAsTheyWere() {
        TrainingSpec all = CHAMPION.toBuilder().clearRange().build();
        assertFalse(RetrainSpec.of(all, ENDS::get, null, "").hasRange(), "all stored history, new rows included");
        TrainingSpec openEnd = CHAMPION.toBuilder().setRange(TimeRange.newBuilder().setStartTsMicros(1_000)).build();
        assertEquals(openEnd.getRange(), RetrainSpec.of(openEnd, ENDS::get, null, "").getRange());
        TrainingSpec openStart = CHAMPION.toBuilder().setRange(TimeRange.newBuilder().setEndTsMicros(5_000)).build();
        assertEquals(TimeRange.newBuilder().setEndTsMicros(12_000).build(),
                RetrainSpec.of(openStart, ENDS::get, null, "").getRange(), "from the first row, up to the latest");
        assertEquals(CHAMPION.getRange(), RetrainSpec.of(CHAMPION, id -> 4_000L, null, "").getRange(),
                "history ending before the range: unchanged");
    }

    @Test
    void aChallengerConfigReplacesTheChampionsModel() {
        ModelTrainingConfig gbt = ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES).build();
        assertEquals(gbt, RetrainSpec.of(CHAMPION, ENDS::get, gbt, "").getModel());
    }
}
