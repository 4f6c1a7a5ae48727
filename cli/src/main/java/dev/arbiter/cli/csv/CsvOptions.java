package dev.arbiter.cli.csv;

import dev.arbiter.cli.client.UsageError;
import dev.arbiter.proto.v1.CsvColumnMapping;
import picocli.CommandLine.Option;

/** The CSV column options every command that reads a CSV shares: any file works once its columns are named. */
public class CsvOptions {

    @Option(names = "--time-col", paramLabel = "COLUMN", defaultValue = "time",
            description = "The time column: a header name, or a 0-based index with --no-header (default: ${DEFAULT-VALUE}).")
    public String timeColumn;

    @Option(names = "--value-col", paramLabel = "COLUMN", defaultValue = "value",
            description = "The value (or close) column (default: ${DEFAULT-VALUE}).")
    public String valueColumn;

    @Option(names = "--open-col", paramLabel = "COLUMN", description = "The bar open column, for OHLCV data.")
    public String openColumn;

    @Option(names = "--high-col", paramLabel = "COLUMN", description = "The bar high column.")
    public String highColumn;

    @Option(names = "--low-col", paramLabel = "COLUMN", description = "The bar low column.")
    public String lowColumn;

    @Option(names = "--volume-col", paramLabel = "COLUMN", description = "The volume column.")
    public String volumeColumn;

    @Option(names = "--time-format", paramLabel = "FORMAT", defaultValue = "iso",
            description = "How times are written: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; "
                    + "pattern is implied by --time-pattern).")
    public TimeFormat timeFormat;

    @Option(names = "--time-pattern", paramLabel = "PATTERN",
            description = "A java.time pattern for the times, e.g. 'yyyy-MM-dd HH:mm:ss'.")
    public String timePattern;

    @Option(names = "--time-zone", paramLabel = "ZONE",
            description = "IANA zone of times written without an offset, e.g. Europe/London (default: UTC).")
    public String timeZone;

    @Option(names = "--delimiter", paramLabel = "CHAR", defaultValue = ",",
            description = "The field delimiter: one character, or 'tab' (default: '${DEFAULT-VALUE}').")
    public String delimiter;

    @Option(names = "--no-header", description = "The first line is data; columns are then 0-based indexes.")
    public boolean noHeader;

    /** The time format, pattern when a pattern is given. */
    public TimeFormat effectiveTimeFormat() {
        return timePattern != null && !timePattern.isEmpty() ? TimeFormat.PATTERN : timeFormat;
    }

    /** The delimiter as one character. */
    public char delimiterChar() {
        if ("tab".equalsIgnoreCase(delimiter) || "\\t".equals(delimiter)) {
            return '\t';
        }
        if (delimiter.length() != 1) {
            throw new UsageError("--delimiter '" + delimiter + "' is not one character; give e.g. ',' ';' '|' or tab");
        }
        return delimiter.charAt(0);
    }

    /** The mapping as optimizer-service's history import takes it. */
    public CsvColumnMapping toMapping() {
        CsvColumnMapping.Builder b = CsvColumnMapping.newBuilder()
                .setTimeColumn(timeColumn)
                .setValueColumn(valueColumn)
                .setTimeFormat(effectiveTimeFormat().proto);
        if (timePattern != null) {
            b.setTimePattern(timePattern);
        }
        if (timeZone != null) {
            b.setTimeZone(timeZone);
        }
        if (openColumn != null) {
            b.setOpenColumn(openColumn);
        }
        if (highColumn != null) {
            b.setHighColumn(highColumn);
        }
        if (lowColumn != null) {
            b.setLowColumn(lowColumn);
        }
        if (volumeColumn != null) {
            b.setVolumeColumn(volumeColumn);
        }
        return b.build();
    }

    /** The time parser for client-side reading (decide, features ingest). */
    public TimeValues timeValues() {
        return TimeValues.of(effectiveTimeFormat(), timePattern, timeZone);
    }
}
