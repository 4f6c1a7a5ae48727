package dev.arbiter.cli.csv;

import picocli.CommandLine.Option;

/** Where a CSV row's series id comes from: one id for all rows, or a column (an exclusive picocli group). */
public class SeriesSource {

    @Option(names = "--series", paramLabel = "ID", description = "The series every row belongs to.")
    public String series;

    @Option(names = "--series-col", paramLabel = "COLUMN", description = "The column naming each row's series.")
    public String seriesColumn;
}
