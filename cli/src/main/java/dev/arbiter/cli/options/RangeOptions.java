package dev.arbiter.cli.options;

import dev.arbiter.cli.csv.TimeValues;
import dev.arbiter.proto.v1.TimeRange;
import picocli.CommandLine.Option;

/** A time range of history, from {@code --from} (inclusive) to {@code --to} (exclusive). */
public class RangeOptions {

    @Option(names = "--from", paramLabel = "TIME", description = "Only from this time (ISO-8601, e.g. 2024-03-01 or 2024-03-01T12:00:00Z).")
    public String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Only before this time.")
    public String to;

    public boolean isSet() {
        return from != null || to != null;
    }

    public TimeRange toProto() {
        TimeRange.Builder b = TimeRange.newBuilder();
        if (from != null) {
            b.setStartTsMicros(TimeValues.option("--from", from));
        }
        if (to != null) {
            b.setEndTsMicros(TimeValues.option("--to", to));
        }
        return b.build();
    }
}
