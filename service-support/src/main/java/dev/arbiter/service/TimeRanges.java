package dev.arbiter.service;

import static dev.arbiter.service.RequestRefused.invalid;

/**
 * The rule for a half-open time range {@code [start_ts_micros, end_ts_micros)} of the contract (common.proto's
 * TimeRange), one copy for every service that takes one: 0 at either end is "open" (from the earliest, up to the
 * latest data); any other bound is epoch microseconds from {@link ObservationRules#EARLIEST} on, negative before 1970;
 * a closed range must not be empty.
 */
public final class TimeRanges {

    private TimeRanges() {}

    /**
     * Refuses a bound before 1800 on {@code field.start_ts_micros} or {@code field.end_ts_micros}, and a closed range
     * whose end is not after its start on {@code field}.
     */
    public static void check(String field, long start, long end) {
        bound(field + ".start_ts_micros", start, "the earliest");
        bound(field + ".end_ts_micros", end, "the latest");
        if (start != 0 && end != 0 && end <= start) {
            throw invalid(field, field + " is [" + start + ", " + end + "), which is empty; send an end_ts_micros after"
                    + " start_ts_micros (the end is exclusive), or 0 for up to the latest");
        }
    }

    /** The first time a range includes: {@code start}, or the earliest there is when it is open (0). */
    public static long from(long start) {
        return start == 0 ? Long.MIN_VALUE : start;
    }

    /** The first time after a range: {@code end}, or past the latest there is when it is open (0). */
    public static long until(long end) {
        return end == 0 ? Long.MAX_VALUE : end;
    }

    private static void bound(String field, long v, String open) {
        if (v != 0 && v < ObservationRules.EARLIEST_MICROS) {
            throw invalid(field, field + " is " + v + ", before " + ObservationRules.EARLIEST + "; send epoch microseconds"
                    + " UTC (negative before 1970, not nanoseconds), or 0 for " + open);
        }
    }
}
