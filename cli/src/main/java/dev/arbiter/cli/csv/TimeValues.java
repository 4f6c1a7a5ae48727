package dev.arbiter.cli.csv;

import dev.arbiter.cli.client.UsageError;
import dev.arbiter.service.TimeText;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Times as a CSV or an option writes them, to epoch microseconds: the formats optimizer-service's history import
 * reads, parsed by the same code (service-support's {@link TimeText}: ISO-8601 with or without an offset, a date
 * alone, a space for the T; epoch seconds with fractions, milliseconds, microseconds; a DateTimeFormatter pattern),
 * so one set of column options serves every command. This class checks the options and words their refusals.
 */
public final class TimeValues {

    private final TimeFormat format;
    private final DateTimeFormatter pattern;
    private final ZoneId zone;

    private TimeValues(TimeFormat format, DateTimeFormatter pattern, ZoneId zone) {
        this.format = format;
        this.pattern = pattern;
        this.zone = zone;
    }

    /**
     * @param zoneName IANA zone for times without an offset; null or empty = UTC
     * @throws UsageError for an unknown zone or a pattern that is not one, naming the option
     */
    public static TimeValues of(TimeFormat format, String patternText, String zoneName) {
        ZoneId zone = ZoneOffset.UTC;
        if (zoneName != null && !zoneName.isEmpty()) {
            try {
                zone = ZoneId.of(zoneName);
            } catch (DateTimeException e) {
                throw new UsageError("--time-zone '" + zoneName + "' is not a time zone; give an IANA name such as Europe/London");
            }
        }
        DateTimeFormatter pattern = null;
        if (format == TimeFormat.PATTERN) {
            if (patternText == null || patternText.isEmpty()) {
                throw new UsageError("--time-format pattern needs --time-pattern, e.g. --time-pattern 'yyyy-MM-dd HH:mm:ss'");
            }
            try {
                pattern = DateTimeFormatter.ofPattern(patternText);
            } catch (IllegalArgumentException e) {
                throw new UsageError("--time-pattern '" + patternText + "' is not a DateTimeFormatter pattern: " + e.getMessage());
            }
        }
        return new TimeValues(format, pattern, zone);
    }

    /** What a good cell looks like, for messages about bad ones. */
    public String expected() {
        return switch (format) {
            case ISO -> "an ISO-8601 time such as 2024-03-01T12:00:00Z, 2024-03-01 12:00 or 2024-03-01";
            case EPOCH_S -> "seconds since the epoch, e.g. 1700000000 or 1700000000.25";
            case EPOCH_MS -> "milliseconds since the epoch, e.g. 1700000000000";
            case EPOCH_US -> "microseconds since the epoch, e.g. 1700000000000000";
            case PATTERN -> "a time in the --time-pattern";
        };
    }

    /** Epoch microseconds of one cell; throws DateTimeException, NumberFormatException or ArithmeticException. */
    public long micros(String text) {
        return switch (format) {
            case ISO -> TimeText.iso(text, zone);
            case EPOCH_S -> TimeText.decimal(text, 6);
            case EPOCH_MS -> TimeText.decimal(text, 3);
            case EPOCH_US -> Long.parseLong(text);
            case PATTERN -> TimeText.micros(pattern.parse(text), zone);
        };
    }

    /**
     * A {@code --from}/{@code --to} option: ISO-8601 with or without an offset (UTC then) or a date.
     *
     * @throws UsageError naming the option
     */
    public static long option(String option, String text) {
        try {
            return TimeText.iso(text.trim(), ZoneOffset.UTC);
        } catch (DateTimeException | ArithmeticException e) {
            throw new UsageError(option + " '" + text + "' is not a time; give ISO-8601 such as 2024-03-01T12:00:00Z or 2024-03-01");
        }
    }
}
