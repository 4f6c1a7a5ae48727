package dev.arbiter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The observation rules feature-service and decision-service both apply, each refusal on its field. */
class ObservationRulesTest {

    static final ObservationRules RULES = new ObservationRules(200, Duration.ofDays(1));
    static final long NAN = Double.doubleToLongBits(Double.NaN);
    static final long JAN_1962 = Instant.parse("1962-01-02T21:00:00Z").getEpochSecond() * 1_000_000L;

    static void refused(String field, Executable call) {
        RequestRefused e = assertThrows(RequestRefused.class, call);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        assertEquals(field, e.field(), e.getMessage());
    }

    static void check(long ts, double value, double open, double high, double low, double volume) {
        RULES.validate("DJIA", ts, value, open, high, low, volume);
    }

    @Test
    void timesFrom1800OnAreTakenBefore1970Too() {
        check(JAN_1962, 731.14, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        check(ObservationRules.EARLIEST_MICROS, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        check(-1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        assertEquals("1800-01-01T00:00:00Z", Instant.ofEpochSecond(ObservationRules.EARLIEST_MICROS / 1_000_000).toString());
    }

    @Test
    void aMissingTimeOneBefore1800OrOneFarAheadIsRefused() {
        refused("observation.ts_micros", () -> check(0, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        refused("observation.ts_micros", () -> check(ObservationRules.EARLIEST_MICROS - 1, 1, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN));
        refused("observation.ts_micros", () -> check(Long.MIN_VALUE, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        refused("observation.ts_micros", () -> check(1_700_000_000_000_000_000L, 1, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN)); // nanoseconds
        RequestRefused e = assertThrows(RequestRefused.class, () -> check(ObservationRules.EARLIEST_MICROS - 1, 1,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        assertTrue(e.getMessage().contains("1800-01-01T00:00:00Z"), e.getMessage());
    }

    @Test
    void valuesAndBarFieldsAreRefusedOnTheirField() {
        refused("observation.value", () -> check(JAN_1962, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        refused("observation.value", () -> check(JAN_1962, -3, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        refused("observation.value", () -> check(JAN_1962, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        refused("observation.value", () -> check(JAN_1962, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN));
        refused("observation.open", () -> check(JAN_1962, 1, Double.NEGATIVE_INFINITY, Double.NaN, Double.NaN, Double.NaN));
        refused("observation.high", () -> check(JAN_1962, 1, Double.NaN, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN));
        refused("observation.low", () -> check(JAN_1962, 1, Double.NaN, Double.NaN, Double.NEGATIVE_INFINITY, Double.NaN));
        refused("observation.volume", () -> check(JAN_1962, 1, Double.NaN, Double.NaN, Double.NaN, Double.POSITIVE_INFINITY));
        refused("observation.volume", () -> check(JAN_1962, 1, Double.NaN, Double.NaN, Double.NaN, -1));
        refused("observation.high", () -> check(JAN_1962, 1, 1, 0.9, 1.1, 5));
        refused("observation.series_id", () -> RULES.validate("a\u0000b", JAN_1962, 1, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN));
        check(JAN_1962, 1, 1, 1.2, 0.8, 0); // a whole bar
        check(JAN_1962, 1, Double.NaN, 1.2, Double.NaN, Double.NaN); // high without low
    }

    @Test
    void anOptionalFieldSentAsNanIsRefusedAndAnAbsentOneIsNan() {
        assertEquals(NAN, Double.doubleToLongBits(ObservationRules.optional("s", JAN_1962, "observation.open", false, 0)));
        assertEquals(2.5, ObservationRules.optional("s", JAN_1962, "observation.open", true, 2.5));
        refused("observation.open", () -> ObservationRules.optional("s", JAN_1962, "observation.open", true, Double.NaN));
    }
}
