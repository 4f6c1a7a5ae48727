package dev.arbiter.optimizer.history;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.optimizer.history.ImportSpec.ColumnMapping;
import dev.arbiter.optimizer.history.ImportSpec.TimeFormat;
import dev.arbiter.service.TimeText;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Turns the text of a CSV time cell into epoch microseconds, as the import's column mapping says. */
final class TimeParser {

    private static final String FIELD = "spec.columns.";

    private final TimeFormat format;
    private final DateTimeFormatter formatter;
    private final ZoneId zone;
    private final String expected;

    private TimeParser(TimeFormat format, DateTimeFormatter formatter, ZoneId zone, String expected) {
        this.format = format;
        this.formatter = formatter;
        this.zone = zone;
        this.expected = expected;
    }

    /** Checks the time settings of a mapping; every mistake is a RequestRefused naming the field and the fix. */
    static TimeParser of(ColumnMapping m) {
        if (m.timeFormat() == null) {
            throw invalid(FIELD + "time_format", "spec.columns.time_format is not a CsvTimeFormat this server knows; send ISO_8601, EPOCH_SECONDS, EPOCH_MILLIS, EPOCH_MICROS or PATTERN");
        }
        boolean zoned = m.timeFormat() == TimeFormat.ISO_8601 || m.timeFormat() == TimeFormat.PATTERN;
        ZoneId zone = ZoneOffset.UTC;
        if (!m.timeZone().isEmpty()) {
            if (!zoned) {
                throw invalid(FIELD + "time_zone", "spec.columns.time_zone is \"" + m.timeZone() + "\" but " + m.timeFormat()
                        + " times are always UTC; leave time_zone empty");
            }
            try {
                zone = ZoneId.of(m.timeZone());
            } catch (DateTimeException e) {
                throw invalid(FIELD + "time_zone", "spec.columns.time_zone \"" + m.timeZone() + "\" is not a time zone; send an IANA name such as \"Europe/London\", or leave it empty for UTC");
            }
        }
        if (m.timeFormat() != TimeFormat.PATTERN && !m.timePattern().isEmpty()) {
            throw invalid(FIELD + "time_pattern", "spec.columns.time_pattern is set but time_format is " + m.timeFormat()
                    + "; send time_format PATTERN to use the pattern, or leave time_pattern empty");
        }
        return switch (m.timeFormat()) {
            case ISO_8601 -> new TimeParser(TimeFormat.ISO_8601, null, zone, "an ISO-8601 time such as 2024-03-01T12:00:00Z, 2024-03-01T12:00 or 2024-03-01");
            case EPOCH_SECONDS -> new TimeParser(TimeFormat.EPOCH_SECONDS, null, zone, "seconds since the epoch, e.g. 1700000000 or 1700000000.25");
            case EPOCH_MILLIS -> new TimeParser(TimeFormat.EPOCH_MILLIS, null, zone, "milliseconds since the epoch, e.g. 1700000000000");
            case EPOCH_MICROS -> new TimeParser(TimeFormat.EPOCH_MICROS, null, zone, "whole microseconds since the epoch, e.g. 1700000000000000");
            case PATTERN -> pattern(m.timePattern(), zone);
        };
    }

    private static TimeParser pattern(String pattern, ZoneId zone) {
        if (pattern.isEmpty()) {
            throw invalid(FIELD + "time_pattern", "spec.columns.time_pattern is empty but time_format is PATTERN; send a DateTimeFormatter pattern such as \"yyyy-MM-dd HH:mm:ss\"");
        }
        DateTimeFormatter f;
        try {
            f = DateTimeFormatter.ofPattern(pattern);
        } catch (IllegalArgumentException e) {
            throw invalid(FIELD + "time_pattern", "spec.columns.time_pattern \"" + pattern + "\" is not a DateTimeFormatter pattern (" + e.getMessage()
                    + "); send one such as \"yyyy-MM-dd HH:mm:ss\"");
        } catch (ClassCastException e) {
            // The JDK's pattern builder fails this way (JDK 17 and 25) on a pad letter before adjacent number fields,
            // "pyyyyMM" or "pHHmm": found by fuzzing (CsvImportFuzzTest).
            throw invalid(FIELD + "time_pattern", "spec.columns.time_pattern \"" + pattern + "\" is not a pattern the JDK can build: a pad"
                    + " letter 'p' before adjacent number fields; separate the fields or drop the padding, e.g. \"yyyy-MM-dd HH:mm:ss\"");
        }
        TimeParser parser = new TimeParser(TimeFormat.PATTERN, f, zone, "a time in the pattern \"" + pattern + "\"");
        // A pattern that cannot name a point in time (say "HH:mm") would reject every row: refuse it up front.
        Instant sample = Instant.parse("2001-02-03T04:05:06Z");
        try {
            parser.parse(f.withZone(zone).format(sample));
        } catch (DateTimeException | ArithmeticException e) {
            throw invalid(FIELD + "time_pattern", "spec.columns.time_pattern \"" + pattern + "\" does not give a date (" + e.getMessage()
                    + "); include at least year, month and day, e.g. \"yyyy-MM-dd HH:mm\"");
        }
        return parser;
    }

    /** What a good cell looks like, for rejection reasons. */
    String expected() {
        return expected;
    }

    /** Epoch microseconds; throws DateTimeException, NumberFormatException or ArithmeticException for a bad cell. */
    long parse(String text) {
        return switch (format) {
            case ISO_8601 -> TimeText.iso(text, zone);
            case EPOCH_SECONDS -> TimeText.decimal(text, 6);
            case EPOCH_MILLIS -> TimeText.decimal(text, 3);
            case EPOCH_MICROS -> Long.parseLong(text);
            case PATTERN -> TimeText.micros(formatter.parse(text), zone);
        };
    }
}
