package dev.arbiter.cli.decisions;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.csv.CsvOptions;
import dev.arbiter.cli.csv.Input;
import dev.arbiter.cli.csv.ObservationFeed;
import dev.arbiter.cli.csv.ObservationReader;
import dev.arbiter.cli.csv.SeriesSource;
import dev.arbiter.cli.options.Checks;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GateResult;
import dev.arbiter.proto.v1.Observation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter decide}: DecideStream over a CSV file or a live feed on standard input, a line per decision. */
@Command(name = "decide", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Decide on each observation of a CSV or of standard input.", sortOptions = false,
        description = {"Decide on every observation of a CSV, or of a feed on standard input as it arrives "
                + "(decision-service). Prints one line per decision: time, direction, size, confidence, top reason; "
                + "refused rows go to standard error with their line numbers.",
                "Examples: arbiter decide prices.csv --series EURUSD --time-col ts --time-format epoch-ms --value-col close",
                "          tail -f feed.csv | arbiter decide --series EURUSD --stream-timeout 0"})
public class DecideCommand extends CliCommand {

    /** {@code --format}: how decisions are printed. */
    public enum Format {
        TEXT, TSV;

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The CSV; - or absent for standard input.")
    String file;

    @ArgGroup(exclusive = true, multiplicity = "1")
    SeriesSource source;

    @Mixin
    CsvOptions csv;

    @Option(names = "--variant", paramLabel = "NAME", description = "Decide with this A/B variant (or live) instead of the assigned one.")
    String variant;

    @Option(names = "--budget-ms", paramLabel = "MS", defaultValue = "0",
            description = "How long each decision may take before a degraded one is returned (default: the service's).")
    int budgetMs;

    @Option(names = "--window", paramLabel = "N", defaultValue = "256",
            description = "Observations in flight at most (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--acted-only", description = "Print only LONG and SHORT decisions.")
    boolean actedOnly;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (aligned, for people) or tsv (every field, with a header, for programs) (default: ${DEFAULT-VALUE}).")
    Format format;

    private final Map<Direction, Long> directions = new EnumMap<>(Direction.class);
    private long degraded;
    private long refused;
    private long skipped;

    DecideRequest request(Observation o) {
        DecideRequest.Builder b = DecideRequest.newBuilder().setObservation(o).setLatencyBudgetMs(budgetMs);
        if (variant != null) {
            b.setVariantName(variant);
        }
        return b.build();
    }

    @Override
    public Integer call() throws IOException {
        Checks.positive("--window", window);
        Checks.notNegative("--budget-ms", budgetMs);
        PrintWriter out = out();
        try (Input in = Input.open(file, root().stdin())) {
            ObservationReader reader = new ObservationReader(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)),
                    csv, source.series, source.seriesColumn);
            if (format == Format.TSV) {
                out.println("line\tdecision_id\tseries_id\ttime\tdirection\tsize\tconfidence\tensemble_probability"
                        + "\tagreement\tdegraded\treason");
                out.flush();
            }
            ObservationFeed<DecideRequest, DecideStreamResponse> feed =
                    new ObservationFeed<>(services(), Service.DECISIONS, window, this::answered);
            services().streaming(Service.DECISIONS, DecisionServiceGrpc::newStub).decideStream(feed.observer());
            feed.run(reader, this::request, this::skipped);
        }
        summary();
        return 0;
    }

    private synchronized void answered(long line, DecideStreamResponse r) {
        if (r.hasProblem()) {
            refused++;
            err().println(ObservationFeed.refused(line, r.getProblem()));
            err().flush();
            return;
        }
        Decision d = r.getDecision();
        directions.merge(d.getDirection(), 1L, Long::sum);
        if (d.getDegraded()) {
            degraded++;
        }
        if (actedOnly && d.getDirection() != Direction.DIRECTION_LONG && d.getDirection() != Direction.DIRECTION_SHORT) {
            return;
        }
        out().println(format == Format.TSV ? tsv(line, d) : text(d, source.seriesColumn != null));
        out().flush();
    }

    private synchronized void skipped(ObservationReader.Row row) {
        skipped++;
        err().println(row.describe());
        err().flush();
    }

    private synchronized void summary() {
        long total = directions.values().stream().mapToLong(Long::longValue).sum();
        err().println("decided " + Fmt.count(total) + " observations: " + Fmt.count(directions.getOrDefault(Direction.DIRECTION_LONG, 0L))
                + " LONG, " + Fmt.count(directions.getOrDefault(Direction.DIRECTION_SHORT, 0L)) + " SHORT, "
                + Fmt.count(directions.getOrDefault(Direction.DIRECTION_FLAT, 0L)) + " FLAT; " + Fmt.count(degraded)
                + " degraded; " + Fmt.count(refused) + " refused; " + Fmt.count(skipped) + " rows skipped");
        err().flush();
    }

    /** One aligned line: time, [series,] direction, size, confidence, top reason (and what blocked a FLAT one). */
    static String text(Decision d, boolean withSeries) {
        String reason = reason(d);
        if (d.getDegraded()) {
            reason = "[degraded] " + reason;
        }
        if (d.getDuplicate()) {
            reason = "[already decided] " + reason;
        }
        return String.format(java.util.Locale.ROOT, "%-20s %s%-5s  size %5.3f  conf %5.3f  %s", Fmt.time(d.getTsMicros()),
                withSeries ? d.getSeriesId() + "  " : "", direction(d.getDirection()), d.getSize(), d.getConfidence(), reason);
    }

    /** The top reason; for a FLAT decision that a gate blocked, the first such gate too. */
    static String reason(Decision d) {
        String top = d.getReasonsCount() > 0 ? d.getReasons(0) : d.getDegradedReason();
        if (d.getDirection() == Direction.DIRECTION_FLAT && !d.getDegraded()) {
            for (GateResult g : d.getGatesList()) {
                if (!g.getPassed()) {
                    return top + "; blocked by " + g.getName() + (g.getReason().isEmpty() ? "" : ": " + g.getReason());
                }
            }
        }
        return top;
    }

    static String tsv(long line, Decision d) {
        return String.join("\t", Long.toString(line), d.getDecisionId(), d.getSeriesId(), Fmt.time(d.getTsMicros()),
                direction(d.getDirection()), Double.toString(d.getSize()), Double.toString(d.getConfidence()),
                Double.toString(d.getEnsembleProbability()), Double.toString(d.getAgreement()),
                Boolean.toString(d.getDegraded()), reason(d).replace('\t', ' '));
    }

    static String direction(Direction d) {
        return d.name().replace("DIRECTION_", "");
    }
}
