package dev.arbiter.cli.it;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.Examples.Example;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Runs one document's examples (a command's help, or a README) from the start as a user following it would, against
 * running services, and checks each exits as the document shows (0, or 1 where its output shows a refusal, or 3 where
 * it shows a service that does not answer, which is then pointed at a closed port).
 *
 * <p>What the documents leave to the reader is filled in, and nothing else changes:
 * <ul>
 *   <li>names: every series, model, study and ensemble name of the document gets this walkthrough's suffix, so runs
 *       and documents do not collide in the shared database ({@code gbt-demand:1} becomes {@code gbt-demand-x1:1});
 *   <li>files: {@code demand.csv} is the bundled electricity series; {@code prices.csv} and {@code feed.csv} are that
 *       series with the columns the example names; {@code gbt.json} is an XGBoost model of the served schema's width;
 *       a path that exists under the repository is used as it is;
 *   <li>ids the document elides ({@code 62bb2e8d-...}): a report the document's backtest wrote, a decision made here;
 *       {@code --trial N}: a trial of the study's best trials;
 *   <li>a model an ensemble example names that no example trains is trained with its kind and activated first;
 *   <li>scale: a study runs at most {@link #TRIALS} trials where the example says more.
 * </ul>
 * {@code arbiter demo} (other than {@code --help}) is not run here: DemoIT runs it on a slice of the bundled series,
 * because a full demo starts its own four services and takes minutes.
 */
final class ExampleWalkthrough {

    static final int TRIALS = 4;

    /** The order a user follows: data in, models, backtests, studies, then live decisions. */
    static final List<String> ORDER = List.of("", "history import", "history list", "features ingest", "features list",
            "train", "models upload", "models list", "models activate", "models define-ensemble", "models ensembles",
            "models drift", "retrain", "retrainings", "backtest", "stress", "reports", "study create", "study run", "study show", "study best",
            "study report", "study promote", "decide", "outcome", "performance", "ab", "rules validate", "rules submit", "rules list",
            "rules show", "rules shadow", "rules promote", "rules rollback", "rules reject", "rules propose", "rules llm-status",
            "demo");

    /**
     * Commands whose examples need state further along than a walkthrough gets: a proposal past VALIDATED (the one
     * 'rules submit' made stays VALIDATED: no backtest runs here), an A/B variant (none is set here). Each is run and
     * must be refused for that state, as shown here, which proves the command reaches its service and prints its refusal.
     */
    static final Map<String, String> REFUSED_FOR_STATE = Map.of(
            "ab", "is not a configured variant",
            "rules shadow", "only a BACKTESTED proposal can start a shadow run",
            "rules promote", "only a SHADOW proposal whose run completed better can be promoted",
            "rules rollback", "only a PROMOTED proposal can be rolled back");

    private static final Pattern NAME = Pattern.compile("([A-Za-z]+(?:-[a-z]+)*)(:\\d+(?:=[\\d.]+)?)?");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Map<String, String> SERVICE_OPTION = Map.of("feature-service", "--features",
            "model-service", "--models", "decision-service", "--decisions", "optimizer-service", "--optimizer",
            "rule-service", "--rules");
    private static final int ROWS_DECIDED = 600;
    private static final Pattern PROPOSAL = Pattern.compile("proposal-\\d+");

    private final String suffix;
    private final Path dir;
    private final Path repository;
    private final Path electricity;
    private final Map<String, String> addresses;
    private final int servedFeatures;
    private final Map<String, Path> files = new HashMap<>();
    private String report;
    private String decision;
    private String proposal;
    private final List<String> failures = new ArrayList<>();
    private int ran;

    /**
     * @param addresses the CLI option of each service and its address ({@code --models -> 127.0.0.1:9102})
     * @param servedFeatures how many features feature-service serves (the width of the uploaded model)
     */
    ExampleWalkthrough(String suffix, Path dir, Path repository, Path electricity, Map<String, String> addresses,
            int servedFeatures) {
        this.suffix = suffix;
        this.dir = dir;
        this.repository = repository;
        this.electricity = electricity;
        this.addresses = addresses;
        this.servedFeatures = servedFeatures;
    }

    /** Runs the document's examples in {@link #ORDER}; returns one line per example that did not exit as shown. */
    List<String> run(List<Example> document) throws Exception {
        List<Example> examples = new ArrayList<>(document);
        for (Example e : examples) {
            if (!ORDER.contains(e.command())) {
                failures.add(e + ": the walkthrough does not know where '" + e.command() + "' goes; add it to ORDER");
            }
        }
        examples.sort(java.util.Comparator.comparingInt(e -> ORDER.indexOf(e.command())));
        for (Example e : examples) {
            if (leftToDemoIT(e)) {
                continue;
            }
            List<String> args = resolve(e);
            if (args == null) {
                continue;
            }
            Cli.Result r = execute(args, e.silentService(), e.stdin() == null ? null : Files.readString(file(e.stdin(), e.args())));
            ran++;
            String refusal = REFUSED_FOR_STATE.get(e.command());
            if (refusal != null) {
                if (r.exitCode() != 1 || !(r.out() + r.err()).contains(refusal)) {
                    failures.add(e + " (run as arbiter " + String.join(" ", args) + ") should be refused for the walkthrough's state"
                            + " with exit 1 and \"" + refusal + "\"\n" + clip(r.toString()));
                }
                continue;
            }
            if (r.exitCode() != e.expectedExit()) {
                failures.add(e + " (run as arbiter " + String.join(" ", args) + ") exited " + r.exitCode() + ", the document shows "
                        + e.expectedExit() + "\n" + clip(r.toString()));
                continue;
            }
            if (e.command().equals("backtest") && r.exitCode() == 0) {
                Matcher id = Pattern.compile("^backtest (" + UUID.pattern() + ")", Pattern.MULTILINE).matcher(r.out());
                if (id.find()) {
                    report = id.group(1);
                }
            }
            if (e.command().equals("rules submit") && r.exitCode() == 0) {
                Matcher id = PROPOSAL.matcher(r.out());
                if (id.find()) {
                    proposal = id.group();
                }
            }
        }
        return failures;
    }

    /** How many examples {@link #run} ran (every one but {@code demo} without {@code --help}). */
    int ran() {
        return ran;
    }

    /** Whether {@link #run} leaves this example to DemoIT. */
    static boolean leftToDemoIT(Example e) {
        return e.command().startsWith("demo") && !e.args().contains("--help");
    }

    private static String clip(String s) {
        return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
    }

    private Cli.Result execute(List<String> args, String silentService, String stdin) throws IOException {
        List<String> all = new ArrayList<>();
        for (Map.Entry<String, String> a : addresses.entrySet()) {
            all.add(a.getKey());
            all.add(silentService != null && a.getKey().equals(SERVICE_OPTION.get(silentService)) ? closedAddress() : a.getValue());
        }
        all.add("--progress");
        all.add("lines");
        all.addAll(args);
        String[] argv = all.toArray(String[]::new);
        return stdin == null ? Cli.run(argv) : Cli.withStdin(stdin, argv);
    }

    private static String closedAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    /** The example's words with what the document leaves to the reader filled in; null (and a failure) if it cannot be. */
    private List<String> resolve(Example e) throws Exception {
        List<String> in = e.args();
        List<String> out = new ArrayList<>();
        String command = e.command();
        if (command.equals("models define-ensemble")) {
            trainMissingMembers(in);
        }
        for (int i = 0; i < in.size(); i++) {
            String token = in.get(i);
            String previous = i > 0 ? in.get(i - 1) : "";
            if (token.matches(".+\\.(csv|json|html)")) {
                out.add(file(token, in).toString());
            } else if (token.endsWith("...")) {
                String id = command.equals("stress") ? report : command.equals("outcome") ? decision() : null;
                if (id == null) {
                    failures.add(e + ": no id to put in place of " + token + (command.equals("stress")
                            ? " (the document's backtest example wrote no report)" : ""));
                    return null;
                }
                out.add(id);
            } else if (PROPOSAL.matcher(token).matches()) {
                if (proposal == null) {
                    failures.add(e + ": no proposal to put in place of " + token + " (the document's 'rules submit' example "
                            + "stored none)");
                    return null;
                }
                out.add(proposal);
            } else if (previous.equals("--trials")) {
                out.add(Integer.toString(Math.min(TRIALS, Integer.parseInt(token))));
            } else if (previous.equals("--trial")) {
                out.add(bestTrial(in));
            } else {
                out.add(renamed(token, command));
            }
        }
        return out;
    }

    /** A document's own name with this walkthrough's suffix ({@code demand}, {@code gbt-demand:1=0.5}, {@code EURUSD}). */
    private String renamed(String token, String command) {
        Matcher m = NAME.matcher(token);
        boolean ours = token.contains("demand") || token.equals("EURUSD")
                || (token.equals("default") && (command.equals("models define-ensemble") || command.equals("retrain")));
        if (!ours || !m.matches()) {
            return token;
        }
        return m.group(1) + "-" + suffix + (m.group(2) == null ? "" : m.group(2));
    }

    /** A member model no example of the document trains ({@code logreg-demand:1}): trained with its kind, activated. */
    private void trainMissingMembers(List<String> args) throws IOException {
        for (int i = 1; i < args.size(); i++) {
            if (!args.get(i - 1).equals("--member")) {
                continue;
            }
            String member = renamed(args.get(i), "");
            String model = member.substring(0, member.indexOf(':'));
            if (execute(List.of("models", "list", model), null, null).exitCode() == 0) {
                continue;
            }
            String kind = model.substring(0, model.indexOf('-'));
            Cli.Result train = execute(List.of("train", "--kind", kind, "--series", renamed("demand", ""), "--name", model,
                    "--register", "always", "--seed", "1"), null, null);
            Cli.Result activate = execute(List.of("models", "activate", model, "1"), null, null);
            if (train.exitCode() != 0 || activate.exitCode() != 0) {
                failures.add("training the ensemble member " + model + " failed:\n" + clip(train + "\n" + activate));
            }
        }
    }

    /** A decision id: the first decision of a few rows decided under this walkthrough's own live series. */
    private String decision() throws IOException {
        if (decision == null) {
            List<String> rows = Files.readAllLines(electricity).subList(0, 41);
            Cli.Result r = execute(List.of("decide", "--series", renamed("demand-outcomes", ""), "--format", "tsv",
                    "--budget-ms", "5000", "--time-col", "datetime_local", "--value-col", "demand_mw", "--time-zone",
                    "Europe/London"), null, String.join("\n", rows) + "\n");
            Matcher id = UUID.matcher(r.out());
            decision = id.find() ? id.group() : null;
        }
        return decision;
    }

    /** The first of the study's best trials (its Pareto front, or its best trial). */
    private String bestTrial(List<String> args) throws IOException {
        String study = renamed(args.get(args.indexOf("--study") + 1), "study");
        Cli.Result best = execute(List.of("study", "best", "--study", study), null, null);
        List<String> rows = best.out().lines().dropWhile(l -> !l.trim().startsWith("trial")).skip(1).toList();
        return rows.isEmpty() ? "0" : rows.get(0).trim().split("\\s+")[0];
    }

    /** The file an example names, made once per walkthrough (an existing repository path is used as it is). */
    private Path file(String name, List<String> args) throws Exception {
        Path existing = repository.resolve(name);
        if (name.contains("/") && Files.exists(existing)) {
            return existing;
        }
        boolean noHeader = args.contains("--no-header");
        String key = name + (noHeader ? "#no-header" : "");
        Path cached = files.get(key);
        if (cached != null) {
            return cached;
        }
        Path path = dir.resolve((noHeader ? "no-header-" : "") + name);
        List<String> rows = Files.readAllLines(electricity);
        switch (name) {
            case "demand.csv" -> Files.copy(electricity, path);
            case "prices.csv" -> Files.write(path, prices(rows, 0, ROWS_DECIDED, "ts,date,close,high,low", true));
            case "feed.csv" -> Files.write(path, prices(rows, ROWS_DECIDED, 2 * ROWS_DECIDED, noHeader ? null : "time,value", false));
            case "gbt.json" -> Files.write(path, xgboostJson(servedFeatures));
            default -> {
                if (!name.endsWith(".html")) {
                    throw new IllegalArgumentException("the walkthrough has no file for " + name + "; add one to file()");
                }
            }
        }
        files.put(key, path);
        return path;
    }

    /**
     * Rows {@code from..to} of the electricity series as a price series: one row each 30 minutes from 2024-01-01, the
     * demand as the price ({@code ts} in epoch milliseconds, {@code high} and {@code low} 1% around it), or as
     * ISO-8601 time and value.
     */
    private static List<String> prices(List<String> rows, int from, int to, String header, boolean wide) {
        List<String> out = new ArrayList<>();
        if (header != null) {
            out.add(header);
        }
        Instant start = Instant.parse("2024-01-01T00:00:00Z");
        for (int i = from; i < to; i++) {
            String[] cells = rows.get(i + 1).split(",");
            double value = Double.parseDouble(cells[cells.length - 1]);
            Instant t = start.plusSeconds(1800L * i);
            out.add(wide ? t.toEpochMilli() + "," + t.toString().substring(0, 10) + "," + value + "," + value * 1.01 + ","
                    + value * 0.99 : t + "," + value);
        }
        return out;
    }

    /** A small real XGBoost model on {@code width} inputs, as XGBoost JSON. */
    static byte[] xgboostJson(int width) throws XGBoostError {
        Random random = new Random(3);
        int n = 400;
        float[] x = new float[n * width];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < width; f++) {
                x[i * width + f] = (float) random.nextGaussian();
            }
            y[i] = x[i * width] + 0.5 * random.nextGaussian() > 0 ? 1 : 0;
        }
        DMatrix m = new DMatrix(x, n, width, Float.NaN);
        m.setLabel(y);
        Map<String, Object> params = new HashMap<>(Map.of("objective", "binary:logistic", "max_depth", 3, "eta", 0.3,
                "nthread", 1, "seed", 3));
        Booster booster = XGBoost.train(m, params, 20, Map.of(), null, null);
        try {
            return booster.toByteArray("json");
        } finally {
            booster.dispose();
            m.dispose();
        }
    }
}
