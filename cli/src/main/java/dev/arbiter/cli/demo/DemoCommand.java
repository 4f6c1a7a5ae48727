package dev.arbiter.cli.demo;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.HostPort;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.csv.CsvOptions;
import dev.arbiter.cli.csv.Input;
import dev.arbiter.cli.csv.ObservationFeed;
import dev.arbiter.cli.csv.ObservationReader;
import dev.arbiter.cli.csv.TimeFormat;
import dev.arbiter.cli.history.HistoryImportCommand;
import dev.arbiter.cli.options.Checks;
import dev.arbiter.cli.options.ModelKindOption;
import dev.arbiter.cli.optimizer.TrainCommand;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.cli.output.ProgressMode;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.EnsembleWeightConfig;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.ForwardReturnSignLabel;
import dev.arbiter.proto.v1.GetParameterSetRequest;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.RegistrationPolicy;
import dev.arbiter.proto.v1.TieHandling;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.TrainingJobState;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.proto.v1.TrainingSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code arbiter demo}: the whole loop on a real series, with the services started here as processes. It imports the
 * first part of the series as history, trains the four model kinds on it through optimizer-service, activates them
 * and makes them an ensemble, then replays the rest through DecideStream as a live feed, reporting each outcome once
 * its horizon has passed; then rule-service runs one proposal round (offline, or the LLM's when ARBITER_LLM_BASE_URL
 * is set), validating and backtesting each proposal on the history; it prints a summary, writes an HTML report and
 * stops what it started.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, abbreviateSynopsis = true, sortOptions = false,
        header = "Run the whole loop on a real series with local services; print a summary, write an HTML report.",
        description = {"Starts feature-service, model-service, decision-service, optimizer-service and rule-service from their jars "
                + "(PostgreSQL and Redis must answer), imports the first part of a series as history, trains gradient-"
                + "boosted trees, a random forest, a logistic regression and a linear SVM on it, makes them an ensemble, "
                + "replays the rest of the series through DecideStream as a live feed, reports each outcome once its "
                + "horizon has passed, prints decisions, actions, hit rate, false-positive actions against the best "
                + "single model and the latency, runs one rule proposal round (each rule validated, then backtested on "
                + "the history against the live rules; proposed by the offline search, or by the LLM when "
                + "ARBITER_LLM_BASE_URL is set), writes OUT/report.html and stops the services.",
                "Without --data it uses the bundled half-hourly electricity demand of England and Wales (summer 2000).",
                "Examples: ./arbiter demo",
                "          ./arbiter demo --data prices.csv --time-col date --value-col close --high-col high "
                        + "--low-col low --out /tmp/prices-demo"})
public class DemoCommand extends CliCommand {

    /** The bundled series (see demo/DATA.md beside it for its origin and licence). */
    static final String BUNDLED = "/demo/taylor_electricity_halfhourly.csv";

    @Option(names = "--data", paramLabel = "FILE",
            description = "The series as a CSV, read with the column options below (default: the bundled electricity "
                    + "demand, whose columns are known).")
    Path data;

    @Mixin
    CsvOptions csv;

    @Option(names = "--series", paramLabel = "ID", description = "The series' id (default: the file's name).")
    String series;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "0",
            description = "Use only the first N rows (default: all).")
    int rows;

    @Option(names = "--train-fraction", paramLabel = "F", defaultValue = "0.6",
            description = "The share of the rows imported as history and trained on; the rest is replayed "
                    + "(default: ${DEFAULT-VALUE}).")
    double trainFraction;

    @Option(names = "--horizon", paramLabel = "N", defaultValue = "1",
            description = "Observations between a decision and its outcome; the models learn the sign of the return "
                    + "over it (default: ${DEFAULT-VALUE}).")
    int horizon;

    @Option(names = "--window", paramLabel = "N", defaultValue = "1",
            description = "Observations waiting for their decision at most; 1 is a live feed where each observation "
                    + "is decided before the next arrives (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--budget-ms", paramLabel = "MS", defaultValue = "1000",
            description = "Latency budget of each decision; the services start cold, so the demo gives them time "
                    + "rather than degraded decisions (default: ${DEFAULT-VALUE}; the load generator in bench/ "
                    + "measures warm latency).")
    int budgetMs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "arbiter-demo",
            description = "Where the report, the services' logs and their data go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--name", paramLabel = "PREFIX", defaultValue = "demo",
            description = "Model names are PREFIX-gbt, PREFIX-rf, ...; the ensemble is PREFIX (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--seed", defaultValue = "7", description = "Training seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--database", paramLabel = "JDBC-URL", defaultValue = "jdbc:postgresql://127.0.0.1:5432/arbiter",
            description = "The services' PostgreSQL database (default: ${DEFAULT-VALUE}).")
    String database;

    @Option(names = "--redis", paramLabel = "URL", defaultValue = "redis://127.0.0.1:6379",
            description = "The services' Redis (default: ${DEFAULT-VALUE}).")
    String redis;

    @Option(names = "--home", paramLabel = "DIR", defaultValue = "${env:ARBITER_HOME:-.}",
            description = "The repository root, where each service's target/quarkus-app is (default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--keep-running", description = "Leave the services running afterwards; their addresses and "
            + "process ids go to OUT/services.properties (for bench/load.sh and other commands).")
    boolean keepRunning;

    @Option(names = "--service-property", paramLabel = "KEY=VALUE", hidden = true,
            description = "A configuration property for every service started (tests use it).")
    Map<String, String> serviceProperties = new LinkedHashMap<>();

    /** One trained member: its version and validation quality. */
    record Member(ModelKindOption kind, ModelVersionRef version, double brier, double auc) {
        String label() {
            return version.getModelName() + " v" + version.getVersion();
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Checks.notNegative("--rows", rows);
        Checks.positive("--horizon", horizon);
        Checks.positive("--window", window);
        Checks.notNegative("--budget-ms", budgetMs);
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new UsageError("--train-fraction is " + trainFraction + "; give a share strictly between 0 and 1, e.g. 0.6");
        }
        if (!name.matches("[a-z0-9][a-z0-9_-]{0,40}")) {
            throw new UsageError("--name '" + name + "' must be lowercase letters, digits, '-' or '_' (at most 41), e.g. demo");
        }
        PrintWriter err = err();
        List<Observation> all = read();
        int trainRows = (int) Math.floor(all.size() * trainFraction);
        if (trainRows < 200 || all.size() - trainRows < horizon + 10) {
            throw new UsageError("the series has " + all.size() + " usable rows; the demo needs at least 200 to train on and "
                    + (horizon + 10) + " to replay (with --train-fraction " + trainFraction + ")");
        }
        String seriesId = seriesId();
        String runId = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.now());
        String live = seriesId + "-live-" + runId;
        Files.createDirectories(out);
        err.println("arbiter demo: " + Fmt.count(all.size()) + " observations of " + seriesId + " (" + Fmt.time(all.get(0).getTsMicros())
                + " .. " + Fmt.time(all.get(all.size() - 1).getTsMicros()) + "); training on the first " + Fmt.count(trainRows)
                + ", replaying the last " + Fmt.count(all.size() - trainRows) + " as series " + live);
        err.println("starting the five services (their logs go to " + out.resolve("logs") + ") ...");
        err.flush();
        DemoServices started = DemoServices.start(new DemoServices.Setup(home, database, redis, name, runId, out,
                ruleService(seriesId, trainRows), serviceProperties));
        boolean kept = false;
        try (Services s = services().at(started.addresses())) {
            err.println("services ready: " + started.addresses().values());
            err.flush();
            importHistory(s, seriesId, all.subList(0, trainRows));
            List<Member> members = train(s, seriesId);
            defineEnsemble(s, members);
            List<Observation> replayed = withSeries(all.subList(trainRows, all.size()), live);
            warmUp(s, withSeries(all.subList(Math.max(0, trainRows - 500), trainRows), live));
            Replay replay = new Replay(s, replayed, horizon, window, budgetMs);
            List<String> refusals = replay.run(progress("decide " + live));
            refusals.stream().limit(10).forEach(err::println);
            Member best = members.stream().min(Comparator.comparingDouble(Member::brier)).orElseThrow();
            int[] baseline = Baseline.actions(s, best.version(), replay.decisions, minEdge(s));
            List<DemoStep> steps = DemoResults.steps(replayed, replay, baseline);
            DemoSummary summary = DemoResults.summary(live, horizon, steps, replay, best.label(),
                    members.stream().map(m -> m.label() + " (" + m.kind() + "): validation Brier " + Fmt.num(m.brier(), 4)
                            + ", AUC " + Fmt.num(m.auc(), 3)).toList());
            PerformanceMetrics logged = performance(s, live, replayed);
            err.println("A/B: the live policy against a stricter variant, the replay again as " + AbRound.SERIES
                    + " series ...");
            err.flush();
            List<Observation> warm = all.subList(Math.max(0, trainRows - 500), trainRows);
            List<Observation> tail = all.subList(trainRows, all.size());
            // the series replay at once: their progress would interleave, so the round shows none of its own
            Progress quiet = new Progress(err, ProgressMode.OFF, "A/B");
            AbRound.Result ab = AbRound.run(s, runId, minEdge(s), new AbRound.SeriesReplay() {
                @Override
                public void warm(String id) throws IOException, InterruptedException {
                    warmUp(s, withSeries(warm, id));
                }

                @Override
                public int replay(String id) throws IOException, InterruptedException {
                    new Replay(s, withSeries(tail, id), horizon, window, budgetMs).run(quiet);
                    return tail.size();
                }
            });
            FeedbackLoop loop = new FeedbackLoop(FeedbackLoop.drift(s), ab);
            err.println("rule proposals: one round of rule-service, each proposal validated and backtested ...");
            err.flush();
            RuleRound rules = RuleRound.run(s);
            Path report = DemoReport.write(out, summary, steps, rules, loop, "Arbiter demo: " + seriesId);
            print(summary, refusals.size(), logged, rules, report);
            printLoop(loop);
            if (keepRunning) {
                Map<Service, HostPort> addresses = started.addresses();
                Path file = started.keepRunning(out);
                kept = true;
                printKept(addresses, file);
            }
        } finally {
            if (!kept) {
                started.close();
            }
        }
        return 0;
    }

    /** The observations of the CSV (or the bundled series), rows that cannot be read reported and skipped. */
    private List<Observation> read() throws IOException {
        CsvOptions columns = data == null ? bundledColumns() : csv;
        List<Observation> observations = new ArrayList<>();
        try (InputStream in = data == null ? DemoCommand.class.getResourceAsStream(BUNDLED) : Files.newInputStream(data)) {
            ObservationReader reader = new ObservationReader(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)),
                    columns, "series", null);
            int skipped = 0;
            ObservationReader.Row row;
            while ((row = reader.next()) != null && (rows == 0 || observations.size() < rows)) {
                if (row.rejected()) {
                    if (++skipped <= 10) {
                        err().println(row.describe());
                    }
                    continue;
                }
                Observation o = row.observation();
                if (!observations.isEmpty() && o.getTsMicros() <= observations.get(observations.size() - 1).getTsMicros()) {
                    throw new UsageError("line " + row.line() + " is not later than the row before it; the demo needs the "
                            + "rows in time order, one series per file");
                }
                if (!(o.getValue() > 0) || !Double.isFinite(o.getValue())) {
                    throw new UsageError("line " + row.line() + ": the value " + o.getValue() + " is not a positive number; "
                            + "the demo's returns are ratios of values");
                }
                observations.add(o);
            }
        }
        return observations;
    }

    /** The bundled file's columns: local times in Europe/London, demand in MW. */
    static CsvOptions bundledColumns() {
        CsvOptions c = new CsvOptions();
        c.timeColumn = "datetime_local";
        c.valueColumn = "demand_mw";
        c.timeZone = "Europe/London";
        c.timeFormat = TimeFormat.ISO;
        c.delimiter = ",";
        return c;
    }

    private String seriesId() {
        if (series != null) {
            if (series.isBlank()) {
                throw new UsageError("--series is empty; give the series an id, e.g. demand");
            }
            return series;
        }
        if (data == null) {
            return "electricity";
        }
        String file = data.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        return file.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-");
    }

    private static List<Observation> withSeries(List<Observation> observations, String seriesId) {
        return observations.stream().map(o -> o.toBuilder().setSeriesId(seriesId).build()).toList();
    }

    /** The training rows as a CSV of UTC times and values, imported as the series' history (replacing it). */
    private void importHistory(Services s, String seriesId, List<Observation> train) throws IOException {
        StringBuilder b = new StringBuilder("time,value,open,high,low,volume\n");
        for (Observation o : train) {
            b.append(Instant.ofEpochSecond(0, o.getTsMicros() * 1000)).append(',').append(o.getValue()).append(',')
                    .append(o.hasOpen() ? Double.toString(o.getOpen()) : "").append(',')
                    .append(o.hasHigh() ? Double.toString(o.getHigh()) : "").append(',')
                    .append(o.hasLow() ? Double.toString(o.getLow()) : "").append(',')
                    .append(o.hasVolume() ? Double.toString(o.getVolume()) : "").append('\n');
        }
        CsvOptions c = new CsvOptions();
        c.timeColumn = "time";
        c.valueColumn = "value";
        c.openColumn = "open";
        c.highColumn = "high";
        c.lowColumn = "low";
        c.volumeColumn = "volume";
        c.timeFormat = TimeFormat.ISO;
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        ImportHistorySpec spec = ImportHistorySpec.newBuilder().setSeriesId(seriesId).setColumns(c.toMapping())
                .setHasHeader(true).setDelimiter(",").setReplaceExisting(true).setSizeBytes(bytes.length).build();
        ImportHistoryResponse r = HistoryImportCommand.send(s, spec, Input.of(bytes, "the training rows"),
                progress("import " + seriesId));
        HistoryImportCommand.print(r, err());
    }

    /** Trains the four kinds one after the other (each uses every core), registering each version. */
    private List<Member> train(Services s, String seriesId) {
        LabelSpec label = LabelSpec.newBuilder().setForwardReturnSign(ForwardReturnSignLabel.newBuilder()
                .setHorizonObservations(horizon).setTieHandling(TieHandling.TIE_HANDLING_DROP)).build();
        List<Member> members = new ArrayList<>();
        for (ModelKindOption kind : ModelKindOption.values()) {
            TrainingSpec spec = TrainingSpec.newBuilder().setModelName(name + "-" + kind)
                    .setModel(ModelTrainingConfig.newBuilder().setKind(kind.proto))
                    .addSeriesIds(seriesId).setLabel(label).setRegistration(RegistrationPolicy.REGISTRATION_POLICY_ALWAYS)
                    .setSeed(seed).setDescription("arbiter demo: " + kind + " on " + seriesId + ", sign of the return "
                            + horizon + " ahead").build();
            TrainingResult r = TrainCommand.run(s, spec, progress("train " + kind + " " + spec.getModelName()));
            if (r.getState() != TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED || !r.getRegistered()) {
                throw new IllegalStateException("training " + spec.getModelName() + " ended " + r.getState() + ": " + r.getReason());
            }
            members.add(new Member(kind, r.getModelVersion(), r.getValidationMetrics().getBrierScore(),
                    r.getValidationMetrics().getRocAuc()));
        }
        return members;
    }

    /** Activates each member and (re)defines the ensemble the demo's decision-service predicts with. */
    private void defineEnsemble(Services s, List<Member> members) {
        EnsembleDefinition.Builder e = EnsembleDefinition.newBuilder().setName(name)
                .setDescription("arbiter demo: the four model kinds")
                .setWeightConfig(EnsembleWeightConfig.newBuilder().setHalfLifeOutcomes(200));
        for (Member m : members) {
            s.call(Service.MODELS, () -> s.unary(Service.MODELS, ModelServiceGrpc::newBlockingStub)
                    .activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(m.version().getModelName())
                            .setVersion(m.version().getVersion()).setReason("arbiter demo").build()));
            e.addMembers(EnsembleMember.newBuilder().setModelName(m.version().getModelName()).setVersion(m.version().getVersion()));
        }
        EnsembleDefinition defined = s.call(Service.MODELS, () -> s.unary(Service.MODELS,
                ModelServiceGrpc::newBlockingStub).defineEnsemble(DefineEnsembleRequest.newBuilder()
                .setEnsemble(e).build()));
        err().println("ensemble " + defined.getName() + " revision " + defined.getRevision() + ": "
                + String.join(", ", members.stream().map(Member::label).toList()));
        err().flush();
    }

    /**
     * Feeds the observations just before the replay into feature-service under the live series, so its windows are
     * full when the first live observation arrives (as a live system would be after its own history).
     */
    private void warmUp(Services s, List<Observation> tail) throws IOException {
        int[] next = {0};
        long[] refused = {0};
        ObservationFeed<IngestRequest, IngestResponse> feed = new ObservationFeed<>(s, Service.FEATURES, 64,
                (line, r) -> {
                    if (r.hasProblem()) {
                        refused[0]++;
                    }
                });
        s.streaming(Service.FEATURES, FeatureServiceGrpc::newStub).ingestStream(feed.observer());
        feed.run(() -> next[0] < tail.size() ? new ObservationReader.Row(next[0], tail.get(next[0]++), null, null) : null,
                o -> IngestRequest.newBuilder().setObservation(o).build(), row -> { });
        if (refused[0] > 0) {
            throw new IllegalStateException("feature-service refused " + refused[0] + " warm-up observations");
        }
    }

    /** The live policy's gate.min_edge: the single-model baseline acts where |p - 0.5| reaches it. */
    private static double minEdge(Services s) {
        var values = s.call(Service.DECISIONS, () -> s.unary(Service.DECISIONS,
                DecisionServiceGrpc::newBlockingStub).getParameterSet(
                GetParameterSetRequest.getDefaultInstance())).getValuesMap();
        if (!values.containsKey("gate.min_edge")) {
            throw new IllegalStateException("decision-service's live parameter set has no gate.min_edge");
        }
        return values.get("gate.min_edge").getDoubleValue();
    }

    /** decision-service's own account of the replay, over every replayed time (not its rolling window). */
    private static PerformanceMetrics performance(Services s, String live, List<Observation> replayed) {
        TimeRange all = TimeRange.newBuilder().setStartTsMicros(replayed.get(0).getTsMicros())
                .setEndTsMicros(replayed.get(replayed.size() - 1).getTsMicros() + 1).build();
        return s.call(Service.DECISIONS, () -> s.unary(Service.DECISIONS, DecisionServiceGrpc::newBlockingStub)
                .getPerformance(GetPerformanceRequest.newBuilder().setSeriesId(live).setRange(all).build()))
                .getVariantsList().stream().map(v -> v.getMetrics())
                .reduce((a, b) -> a.getDecisionCount() >= b.getDecisionCount() ? a : b)
                .orElse(PerformanceMetrics.getDefaultInstance());
    }

    /**
     * rule-service backtests proposals on the history imported here, on walk-forward folds scaled to it: the latest
     * two test windows of a tenth of the rows (at least 50) are the validation window, a third of the rows trains each
     * fold, and the label's horizon is the demo's; the offline search tunes on the rows before the validation window.
     */
    private Map<String, String> ruleService(String seriesId, int historyRows) {
        int test = Math.max(50, historyRows / 10);
        return Map.of(
                "arbiter.rules.backtest.series", seriesId,
                "arbiter.rules.backtest.train-observations", Integer.toString(historyRows / 3),
                "arbiter.rules.backtest.test-observations", Integer.toString(test),
                "arbiter.rules.backtest.max-folds", "2",
                "arbiter.rules.backtest.horizon", Integer.toString(horizon));
    }

    private void print(DemoSummary m, int refused, PerformanceMetrics logged, RuleRound rules, Path report) {
        PrintWriter o = out();
        o.println();
        o.println("models (validation: the latest 20% of the training rows):");
        m.models().forEach(line -> o.println("  " + line));
        o.println();
        o.printf(Locale.ROOT, "decisions              %s on %s (%s degraded, %s refused)%n", Fmt.count(m.decisions()), m.series(),
                Fmt.count(m.degraded()), Fmt.count(refused));
        o.printf(Locale.ROOT, "actions                %s of %s decisions (%s)%n", Fmt.count(m.actions()), Fmt.count(m.decisions()),
                Fmt.percent(m.decisions() == 0 ? 0 : (double) m.actions() / m.decisions()));
        o.printf(Locale.ROOT, "hit rate               %s of %s settled actions%n", Double.isNaN(m.hitRate()) ? "-" : Fmt.percent(m.hitRate()),
                Fmt.count(m.settledActions()));
        o.printf(Locale.ROOT, "false-positive actions %s of %s; the single best model (%s) acting alone on |p - 0.5| >= "
                + "gate.min_edge: %s of %s%n", Fmt.count(m.falsePositives()), Fmt.count(m.settledActions()), m.baselineModel(),
                Fmt.count(m.baselineFalsePositives()), Fmt.count(m.baselineActions()));
        o.printf(Locale.ROOT, "outcomes joined        %s; pnl %s of capital%n", Fmt.count(m.outcomesJoined()), Fmt.signed(m.pnl(), 4));
        o.printf(Locale.ROOT, "decision latency       p50 %s ms, p99 %s ms, max %s ms (client-observed, %d in flight, budget %d ms)%n",
                Fmt.num(m.p50Millis(), 2), Fmt.num(m.p99Millis(), 2), Fmt.num(m.maxMillis(), 1), window, budgetMs);
        o.printf(Locale.ROOT, "decision-service says  %s decisions logged, %s outcomes joined, pnl %s%n",
                Fmt.count(logged.getDecisionCount()), Fmt.count(logged.getOutcomeCount()), Fmt.signed(logged.getPnl(), 4));
        o.println();
        o.println("rule proposals by " + rules.source() + ":");
        if (!rules.degradedReason().isEmpty()) {
            o.println("  (" + rules.degradedReason() + ")");
        }
        rules.lines().forEach(line -> o.println("  " + line));
        o.println();
        o.println("report: " + report.toAbsolutePath());
        o.flush();
    }

    private void printLoop(FeedbackLoop loop) {
        PrintWriter o = out();
        for (var m : loop.drift()) {
            o.println("drift: " + FeedbackLoop.driftLine(m));
        }
        o.println("A/B (" + AbRound.VARIANT + ": " + loop.ab().description() + "): " + FeedbackLoop.abLine(loop.ab().readout()));
        o.flush();
    }

    private void printKept(Map<Service, HostPort> addresses, Path file) {
        PrintWriter o = out();
        o.println("the services keep running (" + file + "); use them with:");
        addresses.forEach((service, at) -> o.println("  export " + service.environmentVariable + "=" + at));
        o.flush();
    }
}
