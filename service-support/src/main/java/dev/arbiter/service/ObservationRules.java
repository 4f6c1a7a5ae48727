package dev.arbiter.service;

import static dev.arbiter.service.Identifiers.requireIdentifier;
import static dev.arbiter.service.RequestRefused.invalid;

import java.time.Duration;
import java.time.Instant;

/**
 * The rules an observation must follow before it may touch a series, one copy for every service that takes one
 * (feature-service's Ingest, decision-service's Decide), each refusal INVALID_ARGUMENT naming the field and the fix:
 * the series id is an identifier ({@link Identifiers}); the time is from {@link #EARLIEST} on, not 0 (the unset value
 * of the contract) and not more than the configured skew ahead of the server clock; the value is finite and positive
 * (the features are built on log returns); open, high, low and volume are finite when present, the volume is not
 * negative and high is not below low. Optional fields are NaN when absent; a client that sends NaN explicitly is caught
 * where presence is known, with {@link #optional}.
 */
public final class ObservationRules {

    /** The earliest observation time taken: 1800-01-01T00:00:00Z (real daily histories start in the 19th century). */
    public static final Instant EARLIEST = Instant.parse("1800-01-01T00:00:00Z");
    public static final long EARLIEST_MICROS = EARLIEST.getEpochSecond() * 1_000_000L;

    private final int maxSeriesIdLength;
    private final Duration maxFutureSkew;

    public ObservationRules(int maxSeriesIdLength, Duration maxFutureSkew) {
        this.maxSeriesIdLength = maxSeriesIdLength;
        this.maxFutureSkew = maxFutureSkew;
    }

    /** Checks one observation; {@code open}, {@code high}, {@code low} and {@code volume} are NaN when absent. */
    public void validate(String seriesId, long tsMicros, double value, double open, double high, double low, double volume) {
        requireIdentifier("observation.series_id", seriesId, maxSeriesIdLength, "the series this value belongs to");
        String where = where(seriesId, tsMicros);
        requireTime("observation.ts_micros", tsMicros, where);
        ObservationTimes.requireNotAhead("observation.ts_micros", tsMicros, maxFutureSkew, where);
        if (!Double.isFinite(value)) {
            throw notFinite(seriesId, tsMicros, "observation.value", value, false);
        }
        if (value <= 0) {
            throw invalid("observation.value", where + "observation.value is " + value
                    + "; the features are built on log returns, so send a positive level (shift or rescale a series that"
                    + " can be 0 or negative)");
        }
        finiteWhenPresent(seriesId, tsMicros, "observation.open", open);
        finiteWhenPresent(seriesId, tsMicros, "observation.high", high);
        finiteWhenPresent(seriesId, tsMicros, "observation.low", low);
        finiteWhenPresent(seriesId, tsMicros, "observation.volume", volume);
        if (volume < 0) {
            throw invalid("observation.volume", where + "observation.volume is negative (" + volume
                    + "); send a volume ≥ 0 or omit it");
        }
        if (high < low) {
            throw invalid("observation.high", where + "observation.high (" + high + ") is below observation.low (" + low
                    + "); send high ≥ low, or omit both");
        }
    }

    /**
     * An observation time: from {@link #EARLIEST} on, and not 0, which the contract reads as "not set" (an observation
     * at exactly 1970-01-01T00:00:00Z is sent 1 µs later).
     */
    public static void requireTime(String field, long tsMicros, String where) {
        if (tsMicros == 0) {
            throw invalid(field, where + field + " is 0 (not set); send the observation time as epoch microseconds (UTC),"
                    + " negative before 1970");
        }
        if (tsMicros < EARLIEST_MICROS) {
            throw invalid(field, where + field + " is " + tsMicros + ", before " + EARLIEST + "; send epoch microseconds"
                    + " (UTC, not nanoseconds) of a time from " + EARLIEST + " on");
        }
    }

    /** An optional field as the client sent it: NaN when absent; refused when present and not finite. */
    public static double optional(String seriesId, long tsMicros, String field, boolean present, double value) {
        if (!present) {
            return Double.NaN;
        }
        if (!Double.isFinite(value)) {
            throw notFinite(seriesId, tsMicros, field, value, true);
        }
        return value;
    }

    private static void finiteWhenPresent(String seriesId, long tsMicros, String field, double value) {
        if (!Double.isNaN(value) && !Double.isFinite(value)) {
            throw notFinite(seriesId, tsMicros, field, value, true);
        }
    }

    private static RequestRefused notFinite(String seriesId, long tsMicros, String field, double value, boolean optional) {
        return invalid(field, where(seriesId, tsMicros) + field + " is " + value + "; send finite numbers"
                + (optional ? " or omit the field" : ""));
    }

    private static String where(String seriesId, long tsMicros) {
        return "series \"" + seriesId + "\", ts_micros " + tsMicros + ": ";
    }
}
