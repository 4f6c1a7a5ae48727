package dev.arbiter.service;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;

/**
 * Times written as text, to epoch microseconds: the formats of a CSV time column, read alike by optimizer-service's
 * history import and by the CLI (which check the settings and word the refusals each for their own user). Every
 * method throws DateTimeException, NumberFormatException or ArithmeticException for text that is not a time.
 */
public final class TimeText {

    private static final long MICROS_PER_SECOND = 1_000_000L;

    private TimeText() {
    }

    /**
     * ISO-8601: a date alone (midnight), or a date-time with or without an offset; a space for the "T" is accepted,
     * as RFC 3339 allows and most exports write it. Times without an offset are in {@code zone}.
     */
    public static long iso(String text, ZoneId zone) {
        if (text.length() == 10) {
            return micros(LocalDate.parse(text).atStartOfDay(zone).toInstant());
        }
        String t = text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        return micros(DateTimeFormatter.ISO_DATE_TIME.parse(t), zone);
    }

    /** What a DateTimeFormatter parsed: its instant when it has a zone, else its local date (and time) in {@code zone}. */
    public static long micros(TemporalAccessor t, ZoneId zone) {
        if (t.query(TemporalQueries.zone()) != null && t.isSupported(ChronoField.INSTANT_SECONDS)) {
            return micros(Instant.from(t));
        }
        LocalDate date = t.query(TemporalQueries.localDate());
        if (date == null) {
            throw new DateTimeException("no date in \"" + t + "\"");
        }
        LocalTime time = t.query(TemporalQueries.localTime());
        ZoneId z = t.query(TemporalQueries.zone());
        LocalDateTime local = time == null ? date.atStartOfDay() : LocalDateTime.of(date, time);
        return micros(local.atZone(z != null ? z : zone).toInstant());
    }

    /** Epoch microseconds of an instant (sub-microsecond digits dropped). */
    public static long micros(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), MICROS_PER_SECOND), i.getNano() / 1000);
    }

    /**
     * A decimal number of (10^-digits)-ths of a second since the epoch (6 for seconds, 3 for milliseconds), exactly,
     * rounded half-even to the microsecond.
     */
    public static long decimal(String text, int digits) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+') {
                throw new NumberFormatException(text);
            }
        }
        return new BigDecimal(text).movePointRight(digits).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }
}
