package dev.arbiter.optimizer.history;

/**
 * What one CSV import reads and where it goes.
 *
 * @param seriesId        the series the rows belong to
 * @param columns         which columns hold what, and how times are written
 * @param hasHeader       true when the first line names the columns
 * @param delimiter       one character; empty = ","
 * @param replaceExisting true: the stored history is replaced; false: the rows are merged in (with
 *                        {@code append}) and rows at an already stored time are rejected as duplicates
 * @param sizeBytes       the CSV's size when the sender knows it (a mismatch refuses the import); 0 = unchecked
 * @param append          true: the rows may be merged into a series that holds history; false: such a series refuses
 *                        the import unless {@code replaceExisting}
 */
public record ImportSpec(String seriesId, ColumnMapping columns, boolean hasHeader, String delimiter, boolean replaceExisting, long sizeBytes,
                         boolean append) {

    /**
     * Which CSV columns hold what: header names, or 0-based decimal indexes without a header. Empty optional
     * columns mean the series has no such column.
     *
     * @param timeFormat null when the sender's format is not one this version knows
     */
    public record ColumnMapping(
            String time, TimeFormat timeFormat, String timePattern, String timeZone,
            String value, String open, String high, String low, String volume) {

        /** Only the time and value columns, ISO-8601 times in UTC. */
        public static ColumnMapping of(String time, String value) {
            return new ColumnMapping(time, TimeFormat.ISO_8601, "", "", value, "", "", "", "");
        }
    }

    /** How the time column is written. */
    public enum TimeFormat {
        /** "2024-03-01T12:00:00Z", "2024-03-01T12:00" or "2024-03-01"; without an offset the time zone applies. */
        ISO_8601,
        /** Seconds since the epoch, fractions allowed. */
        EPOCH_SECONDS,
        /** Milliseconds since the epoch, fractions allowed. */
        EPOCH_MILLIS,
        /** Microseconds since the epoch. */
        EPOCH_MICROS,
        /** A java.time DateTimeFormatter pattern; without an offset the time zone applies. */
        PATTERN
    }
}
