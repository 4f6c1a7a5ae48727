package dev.arbiter.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.Examples;
import dev.arbiter.cli.client.Failures;
import dev.arbiter.proto.v1.FeatureInfo;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.GetModelVersionRequest;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.testing.ServiceProcess;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Integration test: the CLI's commands, run in-process exactly as the packaged application configures them, against
 * packaged optimizer-service, model-service, feature-service and decision-service processes (real PostgreSQL and
 * Redis): the real electricity series imported, a model trained, registered, activated and put in an ensemble and
 * decided with, a three-fold walk-forward backtest with its ablation table, a stress test with its bands, the reports;
 * decide over a file and standard input with the rows refused and skipped by line, outcomes and their refusals,
 * features ingest with its counts; and the packaged CLI itself, whose exit code for a service that does not answer
 * is 3.
 */
class CliIT {

    static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    static final String SERIES = "electricity-" + SUFFIX;
    static Path csv;
    static Path historyRoot;
    static ServiceProcess models;
    static ServiceProcess optimizer;
    static ServiceProcess features;
    static ServiceProcess decisions;
    static ServiceProcess rules;
    static final String ENSEMBLE = "ens-" + SUFFIX;
    /** Not the default 10, 20, 50: the whole stack follows feature-service's schema. */
    static final String VOLATILITY_WINDOWS = "15,30,60";
    static Cli.Result imported;

    @BeforeAll
    static void start() throws Exception {
        // The demo's bundled series; failsafe puts the CLI's jar on the class path, so it is copied out to a file.
        csv = Files.createTempFile("arbiter-cli-it-", ".csv");
        try (var in = CliIT.class.getResourceAsStream("/demo/taylor_electricity_halfhourly.csv")) {
            Files.copy(in, csv, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        historyRoot = Files.createTempDirectory("arbiter-cli-it-");
        // Tests share the arbiter_test database; the services' own test suites empty it, this one only adds to it.
        // The stack runs with non-default volatility windows (15, 30, 60), set where a deployment sets them: on
        // feature-service, which owns the schema, and optimizer-service, which trains on the same windows. model-service
        // asks feature-service for the schema; decision-service finds the policy's volatility (vol_30) by its role.
        // One after the other, each told where the services it calls listen.
        features = ServiceProcess.start("feature-service.runner", "cli-it-feature-service", Map.of(
                "arbiter.features.snapshot.key-prefix", "arbiter-it-cli:features:" + SUFFIX + ":",
                "arbiter.features.snapshot.ttl", "10m",
                "arbiter.features.windows.volatility", VOLATILITY_WINDOWS));
        models = ServiceProcess.start("model-service.runner", "cli-it-model-service", Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "arbiter.models.redis-prefix", "arbiter-it-cli-" + SUFFIX + ":models:",
                "arbiter.models.drift.evaluation-interval", "0",
                "quarkus.grpc.clients.features.host", "127.0.0.1",
                "quarkus.grpc.clients.features.port", Integer.toString(features.grpcPort)));
        decisions = ServiceProcess.start("decision-service.runner", "cli-it-decision-service", Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "arbiter.decision.redis-prefix", "arbiter-it-cli:decision:" + SUFFIX + ":",
                "arbiter.decision.log.spool-dir", "target/cli-it-spool-" + SUFFIX,
                "arbiter.decision.ensemble", ENSEMBLE,
                "quarkus.grpc.clients.features.host", "127.0.0.1",
                "quarkus.grpc.clients.features.port", Integer.toString(features.grpcPort),
                "quarkus.grpc.clients.models.host", "127.0.0.1",
                "quarkus.grpc.clients.models.port", Integer.toString(models.grpcPort)));
        // optimizer-service promotes parameters into decision-service, so it starts once that one has its port
        optimizer = ServiceProcess.start("optimizer-service.runner", "cli-it-optimizer-service", Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "quarkus.grpc.clients.models.port", Integer.toString(models.grpcPort),
                "quarkus.grpc.clients.decisions.port", Integer.toString(decisions.grpcPort),
                "arbiter.optimizer.history.root", historyRoot.toString(),
                "arbiter.features.windows.volatility", VOLATILITY_WINDOWS));
        // rule-service reads feature-service's schema and decision-service's live rules; its schema "rule" is emptied
        // at start, so that the examples' proposals are not near-duplicates of an earlier run's
        rules = ServiceProcess.start("rule-service.runner", "cli-it-rule-service", Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "quarkus.flyway.clean-disabled", "false",
                "quarkus.flyway.clean-at-start", "true",
                "quarkus.grpc.clients.features.port", Integer.toString(features.grpcPort),
                "quarkus.grpc.clients.decisions.port", Integer.toString(decisions.grpcPort)));
        imported = cli("history", "import", csv.toString(), "--series", SERIES, "--time-col", "datetime_local",
                "--value-col", "demand_mw", "--time-zone", "Europe/London");
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess p : new ServiceProcess[] {rules, decisions, features, optimizer, models}) {
            if (p != null) {
                p.close();
            }
        }
        if (csv != null) {
            Files.deleteIfExists(csv);
        }
        if (historyRoot != null) {
            try (var files = Files.walk(historyRoot)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The CLI in-process, pointed at the service processes, with progress as plain lines. */
    static Cli.Result cli(String... args) {
        return Cli.run(pointedAtTheServices(args));
    }

    /** The same, with {@code stdin} as its standard input. */
    static Cli.Result cliWithStdin(String stdin, String... args) {
        return Cli.withStdin(stdin, pointedAtTheServices(args));
    }

    private static String[] pointedAtTheServices(String... args) {
        List<String> all = new ArrayList<>(List.of("--optimizer", "127.0.0.1:" + optimizer.grpcPort,
                "--models", "127.0.0.1:" + models.grpcPort, "--features", "127.0.0.1:" + features.grpcPort,
                "--decisions", "127.0.0.1:" + decisions.grpcPort, "--rules", "127.0.0.1:" + rules.grpcPort,
                "--progress", "lines"));
        all.addAll(Arrays.asList(args));
        return all.toArray(String[]::new);
    }

    /**
     * Every example of the help and of the READMEs runs as its document shows: each document is followed from the start
     * as a user would (ExampleWalkthrough says what it fills in), and each command exits as the document shows.
     */
    @Test
    void everyExampleOfTheHelpAndTheReadmesRunsAsDocumented() throws Exception {
        Map<String, List<Examples.Example>> documents = Examples.all(Path.of("..")).stream()
                .collect(Collectors.groupingBy(Examples.Example::source, java.util.LinkedHashMap::new, Collectors.toList()));
        assertEquals(List.of("help", Path.of("..", "README.md").toString(), Path.of("..", "cli", "README.md").toString()),
                List.copyOf(documents.keySet()));
        int served = FeatureServiceGrpc.newBlockingStub(features.channel)
                .getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance()).getFeaturesCount();
        Map<String, String> addresses = new java.util.LinkedHashMap<>();
        addresses.put("--optimizer", "127.0.0.1:" + optimizer.grpcPort);
        addresses.put("--models", "127.0.0.1:" + models.grpcPort);
        addresses.put("--features", "127.0.0.1:" + features.grpcPort);
        addresses.put("--decisions", "127.0.0.1:" + decisions.grpcPort);
        addresses.put("--rules", "127.0.0.1:" + rules.grpcPort);
        List<String> failures = new ArrayList<>();
        int n = 0;
        int ran = 0;
        for (List<Examples.Example> document : documents.values()) {
            Path dir = Files.createTempDirectory("arbiter-examples-");
            ExampleWalkthrough walkthrough = new ExampleWalkthrough(SUFFIX + "x" + n++, dir, Path.of(".."), csv, addresses, served);
            failures.addAll(walkthrough.run(document));
            ran += walkthrough.ran();
        }
        long runnable = documents.values().stream().flatMap(List::stream).filter(e -> !ExampleWalkthrough.leftToDemoIT(e)).count();
        assertTrue(runnable >= 30, "examples found: " + runnable);
        assertEquals(runnable, ran, "every example but the demo's ran");
        assertTrue(failures.isEmpty(), failures.size() + " example(s) did not run as documented:\n\n" + String.join("\n\n", failures));
    }

    @Test
    void aRuleIsValidatedSubmittedListedShownAndRejected() {
        String expression = "features.efficiency_ratio_14 > 0.45 && confidence >= 0.58 && drawdown < 0.2";
        Cli.Result valid = cli("rules", "validate", expression);
        assertEquals(0, valid.exitCode(), valid.toString());
        assertTrue(valid.out().contains("valid: bool, cost bound "), valid.out());
        Cli.Result leak = cli("rules", "validate", "next_return > 0.0");
        assertEquals(1, leak.exitCode(), leak.toString());
        assertTrue(leak.out().lines().anyMatch(l -> l.startsWith("leakage") && l.contains("FAILED") && l.contains("look-ahead")),
                leak.out());

        Cli.Result submitted = cli("rules", "submit", "--id", "trend_only_" + SUFFIX.replace('-', '_').toLowerCase(), expression,
                "--rationale", "false positives cluster in choppy markets", "--author", "cli-it");
        assertEquals(0, submitted.exitCode(), submitted.toString());
        Matcher id = Pattern.compile("^(proposal-\\d+)  VALIDATED  \\(human, by cli-it, ").matcher(submitted.out());
        assertTrue(id.find(), submitted.out());
        String proposal = id.group(1);
        Cli.Result again = cli("rules", "submit", expression, "--rationale", "once more", "--author", "cli-it");
        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.out().contains("VALIDATION_FAILED") && again.out().contains("earlier proposal " + proposal), again.out());

        Cli.Result list = cli("rules", "list", "--state", "validated");
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(proposal + " ") && l.contains("VALIDATED")), list.out());
        Cli.Result show = cli("rules", "show", proposal);
        assertEquals(0, show.exitCode(), show.toString());
        assertTrue(show.out().contains("rationale  false positives cluster in choppy markets"), show.out());
        assertTrue(show.out().lines().anyMatch(l -> l.startsWith("duplicate") && l.contains("passed")), show.out());

        Cli.Result rejected = cli("rules", "reject", proposal, "--reason", "trying another", "--author", "cli-it");
        assertEquals(0, rejected.exitCode(), rejected.toString());
        assertEquals(proposal + " REJECTED: rejected by cli-it: trying another", rejected.out().trim());
        Cli.Result twice = cli("rules", "reject", proposal, "--reason", "again");
        assertEquals(1, twice.exitCode(), twice.toString());
        assertTrue(twice.err().contains("rule-service refused (FAILED_PRECONDITION"), twice.err());
        // no LLM is configured on this rule-service: the round is degraded, which is no error
        Cli.Result propose = cli("rules", "propose", "--max", "2", "--kind", "gate");
        assertEquals(0, propose.exitCode(), propose.toString());
        assertEquals("no proposals", propose.out().trim());
        assertTrue(propose.err().startsWith("degraded: no LLM is configured (set ARBITER_LLM_BASE_URL"), propose.err());
        Cli.Result status = cli("rules", "llm-status");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("(no LLM configured)") && status.out().contains("degraded    no proposals from the LLM"),
                status.out());
        Cli.Result history = cli("rules", "show", proposal);
        assertTrue(history.out().lines().anyMatch(l -> l.contains("REJECTED") && l.contains("cli-it") && l.contains("trying another")),
                history.out());
    }

    @Test
    void importsTheRealSeriesWithAProgressBarAndListsIt() {
        assertEquals(0, imported.exitCode(), imported.toString());
        // Europe/London in summer is UTC+1: the local 2000-06-05 00:00 is 2000-06-04 23:00 UTC.
        assertEquals("imported 4,032 of 4,032 rows into " + SERIES + " (2000-06-04T23:00:00Z .. 2000-08-27T22:30:00Z); "
                + "0 rejected; the series now holds 4,032 rows", imported.out().trim());
        assertTrue(imported.err().contains("import " + SERIES + ": 100%"), imported.err());

        Cli.Result list = cli("history", "list");
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(SERIES + " ") && l.contains(" 4,032 ")), list.out());
    }

    @Test
    void rejectedRowsAreListedWithTheirLineNumbers() throws Exception {
        Path bad = Files.createTempFile("arbiter-cli-it-", ".csv");
        Files.writeString(bad, """
                when;demand
                2000-06-05 00:00;100
                2000-06-05 00:30;NaN
                2000-06-05 01:00;-4
                2000-06-05 00:00;101
                not a time;5
                2000-06-05 02:00;102
                """);
        try {
            Cli.Result r = cli("history", "import", bad.toString(), "--series", "bad-" + SUFFIX, "--time-col", "when",
                    "--value-col", "demand", "--delimiter", ";");
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.out().startsWith("imported 2 of 6 rows into bad-" + SUFFIX), r.out());
            assertTrue(r.out().contains("4 rejected"), r.out());
            List<String> lines = r.out().lines().filter(l -> l.matches("\\s*\\d+\\s+\\S.*")).toList();
            assertEquals(List.of("3", "4", "5", "6"), lines.stream().map(l -> l.trim().split("\\s+")[0]).toList(), r.out());
            assertTrue(lines.get(2).contains("first at line 2"), r.out());
        } finally {
            Files.delete(bad);
        }
    }

    @Test
    void trainsRegistersActivatesDefinesAnEnsembleAndDecidesWithIt() throws Exception {
        String model = "gbt-" + SUFFIX;
        Cli.Result train = cli("train", "--kind", "gbt", "--series", SERIES, "--name", model, "--label", "threshold",
                "--horizon", "4", "--percentile", "90", "--param", "n_estimators=20", "--register", "always", "--seed", "11");
        assertEquals(0, train.exitCode(), train.toString());
        assertTrue(train.out().contains(": SUCCEEDED in ") && train.out().contains("registered " + model + " v1 (STAGED"),
                train.out());
        String validation = train.out().lines().filter(l -> l.startsWith("validation")).findFirst().orElseThrow();
        String[] v = validation.trim().split("\\s+");
        double brier = Double.parseDouble(v[2]);
        double auc = Double.parseDouble(v[4]);
        assertTrue(brier > 0 && brier < 0.25, validation);
        assertTrue(auc > 0.5 && auc <= 1, validation);
        assertTrue(train.err().contains("train gbt " + model + ": 100%"), train.err());

        Cli.Result list = cli("models", "list");
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(model + " ") && l.contains(" v1 ")), list.toString());
        // Trained on feature-service's windows, and registered against the schema it serves.
        FeatureSchema served = FeatureServiceGrpc.newBlockingStub(features.channel).getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance());
        assertEquals(List.of("vol_30", "efficiency_ratio_14"), served.getFeaturesList().stream().filter(FeatureInfo::getPolicyInput)
                .map(FeatureInfo::getName).toList(), "the policy's volatility is the median window's");
        ModelVersion registered = ModelServiceGrpc.newBlockingStub(models.channel).getModelVersion(
                GetModelVersionRequest.newBuilder().setModelName(model).setVersion(1).build());
        assertEquals(served.getSchemaId(), registered.getFeatureSchemaId());
        assertTrue(registered.getInputFeatureNamesList().containsAll(List.of("vol_15", "vol_30", "vol_60")),
                registered.getInputFeatureNamesList().toString());
        Cli.Result activate = cli("models", "activate", model, "v1");
        assertEquals(model + " v1 is ACTIVE", activate.out().trim(), activate.toString());
        Cli.Result versions = cli("models", "list", model);
        assertTrue(versions.out().lines().anyMatch(l -> l.trim().startsWith("v1 ") && l.contains("ACTIVE") && l.contains("xgboost_json")),
                versions.toString());

        // A logistic regression as the second member: an ONNX model, which cannot take the missing values of a series
        // whose windows are still filling.
        String linear = "logreg-" + SUFFIX;
        Cli.Result trainLinear = cli("train", "--kind", "logreg", "--series", SERIES, "--name", linear, "--label", "threshold",
                "--horizon", "4", "--percentile", "90", "--register", "always", "--seed", "11");
        assertEquals(0, trainLinear.exitCode(), trainLinear.toString());
        assertEquals(linear + " v1 is ACTIVE", cli("models", "activate", linear, "v1").out().trim());

        Cli.Result define = cli("models", "define-ensemble", ENSEMBLE, "--member", model + ":1", "--member", linear + ":1",
                "--half-life", "50");
        assertEquals(0, define.exitCode(), define.toString());
        assertTrue(define.out().startsWith("ensemble " + ENSEMBLE + " revision 1 (half-life 50 outcomes"), define.out());
        assertTrue(cli("models", "ensembles").out().contains(ENSEMBLE), "listed");
        Cli.Result drift = cli("models", "drift", model, "1");
        assertEquals(0, drift.exitCode(), drift.toString());
        assertTrue(drift.out().startsWith(model + " v1: not enough predictions yet"), drift.out());

        // arbiter retrain: the logistic regression trained again as it was, on the same history, is the same model: not
        // better with confidence, so nothing is registered and the ensemble stays as it is.
        Cli.Result retrain = cli("retrain", linear, "--ensemble", ENSEMBLE, "--reason", "CliIT");
        assertEquals(0, retrain.exitCode(), retrain.toString());
        assertTrue(retrain.out().contains("retraining ") && retrain.out().contains(" of " + linear
                + " v1 (the champion) started: training job "), retrain.out());
        assertTrue(retrain.out().contains(": not replaced: ") && retrain.out().contains("95% interval ["), retrain.out());
        Cli.Result retrainings = cli("retrainings", "--model", linear);
        assertTrue(retrainings.out().lines().anyMatch(l -> l.contains(linear) && l.contains(ENSEMBLE) && l.contains("manual")
                && l.contains("not replaced")), retrainings.toString());
        Cli.Result noEnsemble = cli("retrain", linear, "--ensemble", "no-such-" + SUFFIX, "--reason", "CliIT");
        assertEquals(Failures.REFUSED, noEnsemble.exitCode(), noEnsemble.toString());
        assertTrue(noEnsemble.err().contains("(NOT_FOUND)") && noEnsemble.err().contains("is not defined"), noEnsemble.err());
        assertEquals(1, cli("models", "ensembles").out().lines().filter(l -> l.contains(ENSEMBLE)).count());

        Cli.Result retired = cli("models", "activate", model, "9");
        assertEquals(Failures.REFUSED, retired.exitCode(), retired.toString());
        assertTrue(retired.err().startsWith("arbiter: model-service refused (NOT_FOUND): "), retired.err());

        // decision-service decides with that ensemble (its configured one) over a slice of the series.
        Path slice = Files.createTempFile("arbiter-cli-it-", ".csv");
        Files.write(slice, Files.readAllLines(csv).subList(0, 301));
        try {
            Cli.Result decide = cli("decide", slice.toString(), "--series", "live-" + SUFFIX, "--time-col", "datetime_local",
                    "--value-col", "demand_mw", "--time-zone", "Europe/London", "--format", "tsv", "--budget-ms", "5000");
            assertEquals(0, decide.exitCode(), decide.toString());
            List<String[]> rows = decide.out().lines().skip(1).map(l -> l.split("\t")).toList();
            assertEquals(300, rows.size(), decide::toString);
            assertEquals("2", rows.get(0)[0], "CSV line numbers");
            assertTrue(decide.err().contains("decided 300 observations: ") && decide.err().contains("; 0 degraded;"), decide.err());
            String[] first = rows.get(0);
            assertEquals("FLAT", first[4], String.join(" ", first));
            assertEquals("false", first[9], "a new series' first decision is not degraded: " + String.join(" ", first));
            assertTrue(first[10].startsWith("FLAT while the series warms up"), String.join(" ", first));
            String[] last = rows.get(299);
            assertEquals("false", last[9], "not degraded with a 5 s budget: " + String.join(" ", last));
            assertTrue(Double.parseDouble(last[7]) > 0 && Double.parseDouble(last[7]) < 1, "an ensemble probability");

            Cli.Result outcome = cli("outcome", last[1], "--return", "0.002");
            assertEquals(0, outcome.exitCode(), outcome.toString());
            assertTrue(outcome.out().startsWith("JOINED: pnl "), outcome.out());
            Cli.Result again = cli("outcome", last[1], "--return", "0.002");
            assertTrue(again.out().startsWith("DUPLICATE"), again.toString());
            Cli.Result performance = cli("performance", "--series", "live-" + SUFFIX);
            assertEquals(0, performance.exitCode(), performance.toString());
            String live = performance.out().lines().filter(l -> l.startsWith("live ")).findFirst().orElseThrow();
            String[] columns = live.trim().split("\\s+");
            assertEquals(14, columns.length, live);
            assertEquals("300", columns[3], performance.out());
            assertTrue(performance.out().contains("gates of live"), performance.out());
            assertTrue(performance.out().lines().anyMatch(l -> l.matches("confidence\\s+[\\d,]+\\s+[\\d,]+\\s+[\\d,]+\\s+[\\d,]+")),
                    performance.out());
        } finally {
            Files.delete(slice);
        }
    }

    @Test
    void decidesOverACsvPrintingALinePerDecisionAndTheRefusedRowsWithTheirLines() throws Exception {
        String series = "eurusd-" + SUFFIX;
        Path prices = Files.createTempFile("arbiter-cli-it-", ".csv");
        Files.writeString(prices, """
                ts,close
                1709251200000,99.5
                1709251260000,101.25
                1709251320000,oops
                1709251380000,NaN
                1709251440000,102
                """);
        try {
            Cli.Result r = cli("decide", prices.toString(), "--series", series, "--time-col", "ts", "--time-format",
                    "epoch-ms", "--value-col", "close", "--budget-ms", "5000");
            assertEquals(0, r.exitCode(), r.toString());
            List<String> lines = r.out().lines().toList();
            List<String> times = List.of("2024-03-01T00:00:00Z", "2024-03-01T00:01:00Z", "2024-03-01T00:04:00Z");
            assertEquals(3, lines.size(), r.out());
            for (int i = 0; i < 3; i++) {
                // a new series is warming up: FLAT at size 0, with decision-service's reason
                assertTrue(lines.get(i).matches(Pattern.quote(times.get(i)) + " FLAT   size 0\\.000  conf \\d\\.\\d{3}  \\S.*"),
                        lines.get(i));
            }
            assertTrue(r.err().contains("line 4: skipped, column close: 'oops' is not a number"), r.err());
            assertTrue(r.err().contains("line 5: refused (INVALID_ARGUMENT) series \"" + series
                    + "\", ts_micros 1709251380000000: observation.value is NaN; send finite numbers"), r.err());
            assertTrue(r.err().contains("decided 3 observations: 0 LONG, 0 SHORT, 3 FLAT; ")
                    && r.err().contains("; 1 refused; 1 rows skipped"), r.err());
        } finally {
            Files.delete(prices);
        }
    }

    @Test
    void decidesOverStandardInputAsTsvWithIdsForOutcomes() {
        String series = "demand-stdin-" + SUFFIX;
        Cli.Result r = cliWithStdin("2024-03-01T00:00:00Z,150\n2024-03-01T00:01:00Z,90\n", "decide", "--series", series,
                "--no-header", "--time-col", "0", "--value-col", "1", "--format", "tsv", "--budget-ms", "5000");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("line\tdecision_id\tseries_id\ttime\tdirection\tsize\tconfidence\tensemble_probability\tagreement"
                + "\tdegraded\treason", lines.get(0));
        assertEquals(3, lines.size(), r.out());
        String[] first = lines.get(1).split("\t");
        assertEquals("1", first[0], "the CSV line");
        UUID.fromString(first[1]);
        assertEquals(List.of(series, "2024-03-01T00:00:00Z", "FLAT", "0.0"), List.of(first).subList(2, 6));
        assertEquals("2024-03-01T00:01:00Z", lines.get(2).split("\t")[3]);

        // The id is what outcome takes: a FLAT decision's outcome joins with no pnl.
        Cli.Result joined = cli("outcome", first[1], "--return", "0.004");
        assertEquals(0, joined.exitCode(), joined.toString());
        assertTrue(joined.out().startsWith("JOINED: pnl +0.000000"), joined.out());
    }

    @Test
    void outcomesOfUnknownOrMalformedDecisionIdsAreRefusedInPlainWords() {
        String unknownId = UUID.randomUUID().toString();
        Cli.Result unknown = cli("outcome", unknownId, "--return", "0.004");
        assertEquals(Failures.REFUSED, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("decision-service has no decision " + unknownId + " (UNKNOWN_DECISION)"),
                unknown.err());
        Cli.Result notAnId = cli("outcome", "nope", "--return", "0.004");
        assertEquals(Failures.REFUSED, notAnId.exitCode(), notAnId.toString());
        assertTrue(notAnId.err().startsWith("arbiter: decision-service refused (INVALID_ARGUMENT): ")
                && notAnId.err().contains("decision_id"), notAnId.err());
        // A return that is not finite never leaves the CLI: a usage error, before any call.
        Cli.Result notFinite = cli("outcome", unknownId, "--return", "NaN");
        assertEquals(Failures.USAGE, notFinite.exitCode(), notFinite.toString());
        assertTrue(notFinite.err().contains("--return is NaN; give a finite fraction such as 0.0042"), notFinite.err());
    }

    @Test
    void ingestStreamsEveryRowAndCountsWhatHappenedToThem() {
        String series = "ingest-" + SUFFIX;
        // 3,000 rows a minute apart; the row at index 1234 (CSV line 1236) has a negative volume, and the last row is
        // sent twice
        String rows = IntStream.range(0, 3000)
                .mapToObj(i -> (1_700_000_000 + 60 * i) + "," + (100 + i % 7) + "," + (i == 1234 ? -1 : 5))
                .collect(Collectors.joining("\n", "t,v,vol\n", "\n1700179940,103,5\n"));
        Cli.Result r = cliWithStdin(rows, "features", "ingest", "-", "--series", series, "--time-col", "t",
                "--time-format", "epoch-s", "--value-col", "v", "--volume-col", "vol", "--window", "64");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("ingested 3,001 observations: 2,999 accepted, 1 duplicates, 0 dropped out of order, 1 refused; 0 rows"
                + " skipped", r.out().lines().findFirst().orElseThrow());
        assertTrue(r.out().matches("(?s).*last: " + series + " at 2023-11-17T00:12:20Z, 2,999 observations absorbed, warm"
                + " \\(schema features-v1-[0-9a-f]{8}, 21 features\\).*"), r.out());
        assertTrue(r.err().contains("line 1236: refused (INVALID_ARGUMENT) ") && r.err().contains("observation.volume is negative"),
                r.err());
    }

    @Test
    void backtestPrintsFoldsAndTheAblationTableThenStressBands() {
        Cli.Result backtest = cli("backtest", "--series", SERIES, "--train", "1500", "--test", "500", "--folds", "3",
                "--horizon", "4", "--member-param", "gbt.n_estimators=40", "--member-param", "rf.n_estimators=30",
                "--cost", "0.0001", "--seed", "7", "--name", "cli walk-forward");
        assertEquals(0, backtest.exitCode(), backtest.toString());
        String out = backtest.out();
        for (String fold : List.of("0", "1", "2", "all")) {
            assertTrue(out.lines().anyMatch(l -> l.trim().startsWith(fold + " ") && l.contains("%")), fold + "\n" + out);
        }
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("all ") && l.contains(" 1,500 ")), "1,500 decisions\n" + out);
        List<String> ablation = out.lines().dropWhile(l -> !l.startsWith("ablation")).skip(1).takeWhile(l -> !l.isBlank()).toList();
        assertEquals(5, ablation.size(), out);
        assertEquals(List.of("variant", "threshold", "actions", "wins", "false-pos", "fp/win", "precision", "pnl", "sharpe", "max",
                "dd"), List.of(ablation.get(0).trim().split("\\s+")));
        assertTrue(ablation.get(1).startsWith("single best model + threshold "), out);
        assertTrue(ablation.get(2).startsWith("ensemble + threshold "), out);
        assertTrue(ablation.get(3).startsWith("full policy "), out);
        // The learned gate's threshold column is its minimum meta probability (0.5 when the policy leaves it off).
        assertTrue(ablation.get(4).startsWith("full policy + learned gate "), out);
        for (String row : ablation.subList(1, 5)) {
            String[] cells = row.substring("single best model + threshold".length()).trim().split("\\s+");
            double threshold = Double.parseDouble(cells[0]);
            long actions = Long.parseLong(cells[1].replace(",", ""));
            long wins = Long.parseLong(cells[2].replace(",", ""));
            long losses = Long.parseLong(cells[3].replace(",", ""));
            assertTrue(wins + losses <= actions && actions <= 1500, row);
            assertTrue(threshold >= 0 && threshold <= 0.5, row);
            if (wins > 0) {
                assertEquals((double) losses / wins, Double.parseDouble(cells[4]), 0.0006, row);
            }
        }
        assertTrue(backtest.err().contains("backtest: 100%") && backtest.err().contains("fold 3 of 3"), backtest.err());

        Matcher id = Pattern.compile("arbiter stress --report (\\S+)").matcher(out);
        assertTrue(id.find(), out);
        String report = id.group(1);
        Cli.Result stress = cli("stress", "--report", report, "--resamples", "300", "--seed", "3");
        assertEquals(0, stress.exitCode(), stress.toString());
        List<String> table = stress.out().lines().dropWhile(l -> !l.startsWith("metric")).takeWhile(l -> !l.isBlank()).toList();
        assertEquals(List.of("metric", "observed", "mean", "std", "dev", "p5", "p25", "p50", "p75", "p95"),
                List.of(table.get(0).trim().split("\\s+")));
        assertEquals(java.util.Set.of("pnl", "sharpe", "max_drawdown"), table.subList(1, table.size()).stream()
                .map(l -> l.split("\\s+")[0]).collect(java.util.stream.Collectors.toSet()));
        for (String row : table.subList(1, table.size())) {
            String[] cells = row.trim().split("\\s+");
            for (int i = 5; i < cells.length; i++) {
                assertTrue(Double.parseDouble(cells[i]) >= Double.parseDouble(cells[i - 1]), "bands ascend: " + row);
            }
        }
        assertTrue(stress.out().contains("probability of loss (pnl < 0 over a resampled path): "), stress.out());
        String stressId = stress.out().substring("stress test ".length()).split(" ")[0];

        Cli.Result reports = cli("reports", "--limit", "200");
        assertTrue(reports.out().contains(report) && reports.out().contains(stressId), reports.toString());
        Cli.Result shown = cli("reports", report);
        assertTrue(shown.out().startsWith("backtest " + report + " \"cli walk-forward\""), shown.out());
        assertTrue(shown.out().contains("full policy"), shown.out());
    }

    @Test
    void aStudyIsCreatedRunWithProgressShownAndReportedWithItsParetoFront() throws Exception {
        String study = "cli-study-" + SUFFIX;
        Cli.Result created = cli("study", "create", "--study", study, "--series", SERIES, "--train", "1500", "--test", "500",
                "--folds", "3", "--horizon", "4", "--members", "logreg", "--space", "gate.min_edge=0:0.25",
                "--space", "risk.max_size=0.05:0.5", "--objective", "sharpe:max", "--objective", "false_positive_actions:min",
                "--pruner", "none", "--seed", "5");
        assertEquals(0, created.exitCode(), created.toString());
        assertTrue(created.out().contains("study " + study + " created: 2 parameters, 2 objective(s)"), created.out());

        Cli.Result run = cli("study", "run", "--study", study, "--trials", "30", "--parallelism", "2");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("study: 100%") && run.err().contains("30 complete, 0 pruned, 0 failed"), run.err());
        assertTrue(run.out().startsWith("Pareto front of " + study + " (30 complete"), run.out());
        List<String> front = run.out().lines().dropWhile(l -> !l.trim().startsWith("trial")).skip(1).takeWhile(l -> !l.isBlank()).toList();
        assertFalse(front.isEmpty(), run.out());

        Cli.Result best = cli("study", "best", "--study", study);
        assertEquals(0, best.exitCode(), best.toString());
        assertEquals(front, best.out().lines().dropWhile(l -> !l.trim().startsWith("trial")).skip(1).takeWhile(l -> !l.isBlank()).toList());
        Cli.Result show = cli("study", "show", "--study", study, "--last", "5");
        assertEquals(0, show.exitCode(), show.toString());
        assertTrue(show.out().contains("30 complete, 0 pruned, 0 failed, 0 running") && show.out().contains("gate.min_edge"), show.out());

        Path html = Files.createTempFile("arbiter-study-", ".html");
        Cli.Result report = cli("study", "report", "--study", study, "--out", html.toString());
        assertEquals(0, report.exitCode(), report.toString());
        String page = Files.readString(html);
        assertTrue(page.contains("Optimisation history: sharpe") && page.contains("Parameter importances")
                && page.contains("Pareto front: sharpe against false_positive_actions"), page.substring(0, Math.min(500, page.length())));
        Files.delete(html);

        // Promotion into decision-service's live parameters: a dry run changes nothing, a step makes a version.
        String chosen = front.get(0).trim().split("\\s+")[0];
        Cli.Result dry = cli("study", "promote", "--study", study, "--trial", chosen, "--dry-run", "--reason", "cli test");
        assertEquals(0, dry.exitCode(), dry.toString());
        assertTrue(dry.out().startsWith("dry run: trial " + chosen + " of " + study + ": parameter set ") && dry.out().contains("gate.min_edge"),
                dry.out());
        Cli.Result step = cli("study", "promote", "--study", study, "--trial", chosen, "--alpha", "0.5", "--reason", "cli test");
        assertEquals(0, step.exitCode(), step.toString());
        Matcher versions = Pattern.compile("parameter set (\\d+) -> (\\d+)").matcher(step.out());
        assertTrue(versions.find(), step.out());
        assertEquals(Integer.parseInt(versions.group(1)) + 1, Integer.parseInt(versions.group(2)), step.out());
        // Without --trial: a front of several trials needs a choice (a front of one is the best trial).
        Cli.Result noTrial = cli("study", "promote", "--study", study, "--dry-run", "--reason", "cli test");
        if (front.size() > 1) {
            assertEquals(2, noTrial.exitCode(), noTrial.toString());
            assertTrue(noTrial.err().contains("choose one with --trial"), noTrial.err());
        } else {
            assertEquals(0, noTrial.exitCode(), noTrial.toString());
        }

        Cli.Result unknown = cli("study", "run", "--study", "no-such-" + SUFFIX, "--trials", "1");
        assertEquals(1, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("no-such-" + SUFFIX), unknown.err());
    }

    @Test
    void theServicesRefusalsArePassedOnWithExitCodeOne() {
        Cli.Result unknown = cli("backtest", "--series", "no-such-" + SUFFIX, "--train", "100", "--test", "50");
        assertEquals(Failures.REFUSED, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().startsWith("arbiter: optimizer-service refused (NOT_FOUND): ")
                && unknown.err().contains("spec.series_ids[0]"), unknown.err());
        Cli.Result tooLong = cli("backtest", "--series", SERIES, "--train", "4000", "--test", "500");
        assertEquals(Failures.REFUSED, tooLong.exitCode(), tooLong.toString());
        assertTrue(tooLong.err().contains("refused (INVALID_ARGUMENT): ") && tooLong.err().contains("walk_forward"),
                tooLong.err());
        Cli.Result badColumn = cli("history", "import", csv.toString(), "--series", "x-" + SUFFIX, "--value-col", "load");
        assertEquals(Failures.REFUSED, badColumn.exitCode(), badColumn.toString());
        assertTrue(badColumn.err().contains("datetime_local") && badColumn.err().contains("demand_mw"),
                "the service lists the real columns: " + badColumn.err());
        Cli.Result noVariant = cli("ab", "no-such-variant");
        assertEquals(Failures.REFUSED, noVariant.exitCode(), noVariant.toString());
        assertTrue(noVariant.err().startsWith("arbiter: decision-service refused (NOT_FOUND): ")
                && noVariant.err().contains("variant_name \"no-such-variant\" is not a configured variant"), noVariant.err());
    }

    @Test
    void ingestsASliceIntoFeatureService() throws Exception {
        Path slice = Files.createTempFile("arbiter-cli-it-", ".csv");
        Files.write(slice, Files.readAllLines(csv).subList(0, 601));
        try {
            Cli.Result r = cli("features", "ingest", slice.toString(), "--series", "demand-" + SUFFIX, "--time-col",
                    "datetime_local", "--value-col", "demand_mw", "--time-zone", "Europe/London");
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.out().startsWith("ingested 600 observations: 600 accepted, 0 duplicates"), r.out());
            assertTrue(r.out().contains("last: demand-" + SUFFIX + " at 2000-06-17T10:30:00Z, 600 observations absorbed"), r.out());
            Cli.Result again = cli("features", "ingest", slice.toString(), "--series", "demand-" + SUFFIX, "--time-col",
                    "datetime_local", "--value-col", "demand_mw", "--time-zone", "Europe/London");
            assertEquals(0, again.exitCode(), again.toString());
            assertTrue(again.out().startsWith("ingested 600 observations: 0 accepted"), again.out());
            assertTrue(again.err().contains("line 2: refused (INVALID_ARGUMENT)"), "older than the series' last: " + again.err());
            assertTrue(cli("features", "list").out().lines().anyMatch(l -> l.startsWith("demand-" + SUFFIX + " ")));
        } finally {
            Files.delete(slice);
        }
    }

    @Test
    void thePackagedCliSaysInPlainWordsThatAServiceDoesNotAnswerWithExitCodeThree() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Packaged help = packaged("--help");
        assertEquals(0, help.exitCode, help.err);
        assertTrue(help.out.contains("History, training and evaluation (optimizer-service):"), help.out);
        Packaged down = packaged("--optimizer", "127.0.0.1:" + closed, "history", "list");
        assertEquals(Failures.UNAVAILABLE, down.exitCode, down.out + down.err);
        assertEquals("arbiter: optimizer-service does not answer at 127.0.0.1:" + closed + ": start it (see README) or pass "
                + "--optimizer host:port", down.err.trim());
        assertEquals("", down.out);
    }

    record Packaged(int exitCode, String out, String err) {
    }

    /** The packaged CLI as a process: {@code java -jar cli/target/quarkus-app/quarkus-run.jar ARGS}. */
    static Packaged packaged(String... args) throws Exception {
        String jar = System.getProperty("cli.runner", "target/quarkus-app/quarkus-run.jar");
        assertTrue(new File(jar).isFile(), jar + " is missing: run `mvn verify` (this test needs the packaged CLI)");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", jar)); // as ./arbiter runs it
        command.addAll(Arrays.asList(args));
        Path out = Files.createTempFile("arbiter-cli-out-", ".txt");
        Path err = Files.createTempFile("arbiter-cli-err-", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the CLI ended within 60 s");
            return new Packaged(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }
}
