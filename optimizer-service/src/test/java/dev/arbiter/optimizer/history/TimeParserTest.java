package dev.arbiter.optimizer.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arbiter.optimizer.history.ImportSpec.ColumnMapping;
import dev.arbiter.optimizer.history.ImportSpec.TimeFormat;
import java.time.DateTimeException;
import org.junit.jupiter.api.Test;

/** Time cells in every format, to the microsecond. */
class TimeParserTest {

    static TimeParser parser(TimeFormat f, String pattern, String zone) {
        return TimeParser.of(new ColumnMapping("t", f, pattern, zone, "v", "", "", "", ""));
    }

    @Test
    void iso8601() {
        TimeParser utc = parser(TimeFormat.ISO_8601, "", "");
        assertEquals(1_709_294_400_000_000L, utc.parse("2024-03-01T12:00:00Z"));
        assertEquals(1_709_294_400_000_000L, utc.parse("2024-03-01T13:00:00+01:00"));
        assertEquals(1_709_294_400_000_000L, utc.parse("2024-03-01T12:00"));
        assertEquals(1_709_294_400_123_456L, utc.parse("2024-03-01 12:00:00.123456"));
        assertEquals(1_709_251_200_000_000L, utc.parse("2024-03-01"));
        TimeParser london = parser(TimeFormat.ISO_8601, "", "Europe/London");
        assertEquals(1_719_831_600_000_000L, london.parse("2024-07-01T12:00"), "BST is UTC+1");
        assertEquals(1_709_294_400_000_000L, london.parse("2024-03-01T12:00:00Z"), "an explicit offset wins over the zone");
        assertThrows(DateTimeException.class, () -> utc.parse("01/03/2024"));
        assertThrows(DateTimeException.class, () -> utc.parse("2024-02-30"));
    }

    @Test
    void epochs() {
        assertEquals(1_700_000_000_250_000L, parser(TimeFormat.EPOCH_SECONDS, "", "").parse("1700000000.25"));
        assertEquals(1_700_000_000_000_000L, parser(TimeFormat.EPOCH_SECONDS, "", "").parse("1700000000"));
        assertEquals(1_700_000_000_123_500L, parser(TimeFormat.EPOCH_MILLIS, "", "").parse("1700000000123.5"));
        assertEquals(1_700_000_000_123_456L, parser(TimeFormat.EPOCH_MICROS, "", "").parse("1700000000123456"));
        assertThrows(NumberFormatException.class, () -> parser(TimeFormat.EPOCH_MICROS, "", "").parse("1.5"));
        assertThrows(NumberFormatException.class, () -> parser(TimeFormat.EPOCH_SECONDS, "", "").parse("1e9"));
        assertThrows(ArithmeticException.class, () -> parser(TimeFormat.EPOCH_SECONDS, "", "").parse("99999999999999999999"));
    }

    @Test
    void patterns() {
        assertEquals(1_709_251_200_000_000L, parser(TimeFormat.PATTERN, "yyyyMMdd", "").parse("20240301"));
        assertEquals(1_709_303_400_000_000L, parser(TimeFormat.PATTERN, "dd.MM.yyyy HH:mm:ss", "Europe/Berlin").parse("01.03.2024 15:30:00"));
        assertEquals(1_709_294_400_000_000L, parser(TimeFormat.PATTERN, "yyyy-MM-dd HH:mm XXX", "Asia/Tokyo").parse("2024-03-01 13:00 +01:00"));
    }
}
