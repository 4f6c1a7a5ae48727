package dev.arbiter.cli.csv;

import dev.arbiter.proto.v1.CsvTimeFormat;

/** How a CSV's time column is written, as {@code --time-format} names it. */
public enum TimeFormat {
    ISO("iso", CsvTimeFormat.CSV_TIME_FORMAT_ISO_8601),
    EPOCH_S("epoch-s", CsvTimeFormat.CSV_TIME_FORMAT_EPOCH_SECONDS),
    EPOCH_MS("epoch-ms", CsvTimeFormat.CSV_TIME_FORMAT_EPOCH_MILLIS),
    EPOCH_US("epoch-us", CsvTimeFormat.CSV_TIME_FORMAT_EPOCH_MICROS),
    PATTERN("pattern", CsvTimeFormat.CSV_TIME_FORMAT_PATTERN);

    private final String cliName;
    public final CsvTimeFormat proto;

    TimeFormat(String cliName, CsvTimeFormat proto) {
        this.cliName = cliName;
        this.proto = proto;
    }

    /** The name on the command line; picocli matches values and lists choices by it. */
    @Override
    public String toString() {
        return cliName;
    }
}
