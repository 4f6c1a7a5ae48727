package dev.arbiter.cli.features;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.csv.CsvOptions;
import dev.arbiter.cli.csv.Input;
import dev.arbiter.cli.csv.ObservationFeed;
import dev.arbiter.cli.csv.ObservationReader;
import dev.arbiter.cli.csv.SeriesSource;
import dev.arbiter.cli.options.Checks;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.IngestOutcome;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter features ingest}: IngestStream over a CSV, then what happened to the rows. */
@Command(name = "ingest", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Feed a CSV into feature-service's rolling features.", sortOptions = false,
        description = {"Feed a CSV's observations into feature-service's rolling features (IngestStream), in order. "
                + "Prints how many were accepted, duplicates, dropped or refused (with line numbers), and the features "
                + "after the last one.",
                "Example: arbiter features ingest demand.csv --series demand --time-col datetime_local --value-col demand_mw"})
public class FeaturesIngestCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The CSV, or - for standard input.")
    String file;

    @ArgGroup(exclusive = true, multiplicity = "1")
    SeriesSource source;

    @Mixin
    CsvOptions csv;

    @Option(names = "--window", paramLabel = "N", defaultValue = "1024",
            description = "Observations in flight at most (default: ${DEFAULT-VALUE}).")
    int window;

    private final Map<IngestOutcome, Long> outcomes = new EnumMap<>(IngestOutcome.class);
    private FeatureVector last;
    private long skipped;

    @Override
    public Integer call() throws IOException {
        Checks.positive("--window", window);
        try (Input in = Input.open(file, root().stdin())) {
            ObservationReader reader = new ObservationReader(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)),
                    csv, source.series, source.seriesColumn);
            Progress progress = progress("ingest");
            ObservationFeed<IngestRequest, IngestResponse> feed = new ObservationFeed<>(services(), Service.FEATURES, window,
                    (line, r) -> {
                        answered(line, r);
                        progress.update(in.fraction(), "ingesting", Fmt.count(total()) + " answered");
                    });
            services().streaming(Service.FEATURES, FeatureServiceGrpc::newStub).ingestStream(feed.observer());
            try {
                feed.run(reader, o -> IngestRequest.newBuilder().setObservation(o).build(), this::skipped);
            } catch (IOException | RuntimeException e) {
                progress.abandon();
                throw e;
            }
            progress.finish(Fmt.count(total()) + " answered");
        }
        print();
        return 0;
    }

    private synchronized long total() {
        return outcomes.values().stream().mapToLong(Long::longValue).sum();
    }

    private synchronized void answered(long line, IngestResponse r) {
        outcomes.merge(r.getOutcome(), 1L, Long::sum);
        if (r.hasProblem()) {
            err().println(ObservationFeed.refused(line, r.getProblem()));
            err().flush();
        }
        if (r.hasFeatures() && r.getOutcome() != IngestOutcome.INGEST_OUTCOME_REJECTED) {
            last = r.getFeatures();
        }
    }

    private synchronized void skipped(ObservationReader.Row row) {
        skipped++;
        err().println(row.describe());
        err().flush();
    }

    private synchronized void print() {
        out().println("ingested " + Fmt.count(total()) + " observations: "
                + Fmt.count(outcomes.getOrDefault(IngestOutcome.INGEST_OUTCOME_ACCEPTED, 0L)) + " accepted, "
                + Fmt.count(outcomes.getOrDefault(IngestOutcome.INGEST_OUTCOME_DUPLICATE, 0L)) + " duplicates, "
                + Fmt.count(outcomes.getOrDefault(IngestOutcome.INGEST_OUTCOME_DROPPED_OUT_OF_ORDER, 0L)) + " dropped out of order, "
                + Fmt.count(outcomes.getOrDefault(IngestOutcome.INGEST_OUTCOME_REJECTED, 0L)) + " refused; "
                + Fmt.count(skipped) + " rows skipped");
        if (last != null) {
            out().println("last: " + last.getSeriesId() + " at " + Fmt.time(last.getTsMicros()) + ", "
                    + Fmt.count(last.getObservationCount()) + " observations absorbed, " + (last.getWarm() ? "warm" : "warming up")
                    + " (schema " + last.getSchemaId() + ", " + last.getValuesCount() + " features)");
        }
        out().flush();
    }
}
