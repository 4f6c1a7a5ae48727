package dev.arbiter.optimizer.history;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.optimizer.history.ImportSpec.ColumnMapping;
import dev.arbiter.optimizer.history.ImportSpec.TimeFormat;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;

/** Turns the text of a CSV time cell into epoch microseconds, as the import's column mapping says. */
final class TimeParser {

    private static final String FIELD = "spec.columns.";
    private static final long MICROS_PER_SECOND = 1_000_000L;

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
            case ISO_8601 -> iso(text);
            case EPOCH_SECONDS -> decimal(text, 6);
            case EPOCH_MILLIS -> decimal(text, 3);
            case EPOCH_MICROS -> Long.parseLong(text);
            case PATTERN -> micros(formatter.parse(text));
        };
    }

    private long iso(String text) {
        if (text.length() == 10) {
            return micros(LocalDate.parse(text).atStartOfDay(zone).toInstant());
        }
        // RFC 3339 allows a space for the "T"; accept it, as most exports write it so.
        String t = text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        return micros(DateTimeFormatter.ISO_DATE_TIME.parse(t));
    }

    private long micros(TemporalAccessor t) {
        if (t.query(TemporalQueries.zone()) != null && t.isSupported(ChronoField.INSTANT_SECONDS)) {
            return micros(Instant.from(t));
        }
        LocalDate date = t.query(TemporalQueries.localDate());
        if (date == null) {
            throw new DateTimeException("no date in \"" + t + "\"");
        }
        var time = t.query(TemporalQueries.localTime());
        ZoneId z = t.query(TemporalQueries.zone());
        LocalDateTime local = time == null ? date.atStartOfDay() : LocalDateTime.of(date, time);
        return micros(local.atZone(z != null ? z : zone).toInstant());
    }

    private static long micros(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), MICROS_PER_SECOND), i.getNano() / 1000);
    }

    /** A decimal number of (10^-digits)-ths of a second, exactly, rounded half-even to the microsecond. */
    private static long decimal(String text, int digits) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+') {
                throw new NumberFormatException(text);
            }
        }
        return new BigDecimal(text).movePointRight(digits).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }
}
