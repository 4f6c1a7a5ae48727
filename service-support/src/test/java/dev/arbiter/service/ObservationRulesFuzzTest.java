package dev.arbiter.service;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;

/**
 * Fuzz target: the checks every observation passes in feature-service and decision-service. An observation is
 * accepted, or refused with a {@link RequestRefused} that names a field of the message and says what to send; nothing
 * else escapes. Saved inputs replay in mvn verify; bench/fuzz.sh fuzzes.
 */
class ObservationRulesFuzzTest {

    private static final ObservationRules RULES = new ObservationRules(200, Duration.ofDays(1));

    @FuzzTest(maxDuration = "2h") // bench/fuzz.sh bounds a run by its count of inputs
    void everyObservationIsAcceptedOrRefusedNamingAField(FuzzedDataProvider data) {
        long ts = data.consumeLong();
        double value = data.consumeDouble();
        double[] optional = new double[4];
        String[] fields = {"observation.open", "observation.high", "observation.low", "observation.volume"};
        String seriesId = data.consumeString(260);
        try {
            for (int i = 0; i < optional.length; i++) {
                optional[i] = ObservationRules.optional(seriesId, ts, fields[i], data.consumeBoolean(), data.consumeDouble());
            }
            RULES.validate(seriesId, ts, value, optional[0], optional[1], optional[2], optional[3]);
        } catch (RequestRefused refused) {
            if (!refused.explained()) {
                throw new AssertionError("unexplained refusal " + refused.code() + " " + refused.field() + ": " + refused.getMessage());
            }
        }
    }
}
