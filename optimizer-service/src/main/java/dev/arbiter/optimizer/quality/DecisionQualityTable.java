package dev.arbiter.optimizer.quality;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.study.Distribution;
import dev.arbiter.engine.study.FloatDistribution;
import dev.arbiter.optimizer.backtest.WalkForwardBacktest;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.LabelDefinition;
import dev.arbiter.optimizer.history.SeriesHistory;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.ParameterValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the out-of-sample decision-quality table of optimizer-service/README.md: four real series, each a nested
 * walk-forward ({@link NestedWalkForward}) with the four model kinds. Run by {@code optimizer-service/quality.sh DATA_DIR}
 * (the directory with the shared CSV files) [trials] [PRECISION|SHARPE]. Deterministic: fixed seeds throughout.
 */
public final class DecisionQualityTable {

    record Series(String name, SeriesHistory history, int horizon, int train, int test, int unseenFolds) {
    }

    private DecisionQualityTable() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/data");
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        NestedWalkForward.Objective objective = args.length > 2 ? NestedWalkForward.Objective.valueOf(args[2])
                : NestedWalkForward.Objective.PRECISION;
        List<Series> series = List.of(
                new Series("electricity demand, half-hourly, 2 h ahead", electricity(dir), 4, 1_500, 400, 2),
                new Series("DAX daily close, next day", euStock(dir, 3, "dax"), 1, 750, 150, 2),
                new Series("FTSE daily close, next day", euStock(dir, 6, "ftse"), 1, 750, 150, 2),
                new Series("BMW daily (price rebuilt from log returns), next day", bmw(dir), 1, 1_500, 500, 3));
        Map<String, Distribution> space = new LinkedHashMap<>();
        space.put("gate.min_edge", FloatDistribution.of(0, 0.25));
        space.put("gate.min_confidence", FloatDistribution.of(0, 0.8));
        space.put("gate.min_agreement", FloatDistribution.of(0.5, 1));
        space.put("gate.max_volatility", FloatDistribution.log(0.001, 0.2));
        space.put("gate.min_trend", FloatDistribution.of(0, 0.5));
        space.put("confidence.edge_scale", FloatDistribution.log(0.5, 10));
        space.put("risk.max_size", FloatDistribution.of(0.05, 0.5));
        // the learned gate: below about 0.4 it passes nearly every observation, so tuning can switch it off
        Map<String, Distribution> learnedGate = new LinkedHashMap<>();
        learnedGate.put("meta.min_probability", FloatDistribution.of(0, 0.7));
        learnedGate.put("meta.size_weight", FloatDistribution.of(0, 1));
        NestedWalkForward.Settings settings = new NestedWalkForward.Settings(2, space, learnedGate, trials, 42,
                objective, 0.05, 2_000, 10,
                // the edge check (NestedWalkForward.Settings.minEdgeAuc): 0 turns it off to show what tuning alone does
                Double.parseDouble(System.getProperty("arbiter.quality.min-edge-auc", "0.53")));
        System.out.println("| series | row | threshold | actions (share) | wins [95% CI] | false positives [95% CI] | precision | fp / win | P(loss) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        List<String> notes = new ArrayList<>();
        for (Series s : series) {
            long started = System.nanoTime();
            Dataset data = Dataset.build(s.history(), FeatureConfig.defaults(),
                    new LabelDefinition.ForwardReturnSign(s.horizon(), LabelDefinition.TieRule.DROP, 0));
            WalkForwardBacktest.Settings wf = new WalkForwardBacktest.Settings(members(), PolicyParameters.defaults(),
                    CompiledRuleSet.EMPTY, false, s.train(), s.test(), s.test(), s.horizon(), 0, 0.0001, 7);
            WalkForwardBacktest.Prepared prepared = WalkForwardBacktest.prepare(data, wf, (f, c) -> { }, (p, f, a, b) -> { });
            NestedWalkForward.Report r = NestedWalkForward.run(prepared,
                    PolicyParameters.defaults(), new NestedWalkForward.Settings(s.unseenFolds(), space, learnedGate, trials, 42,
                            settings.objective(), settings.minActionShare(), settings.resamples(), settings.meanBlockLength(),
                            settings.minEdgeAuc()));
            for (NestedWalkForward.Row row : r.rows()) {
                long wins = row.metrics().truePositiveActions;
                System.out.printf(Locale.ROOT, "| %s | %s | %.4f | %d (%.1f%%) | %d [%.0f, %.0f] | %d [%.0f, %.0f] | %.3f | %s | %.2f |%n",
                        s.name(), row.name(), row.threshold(), row.metrics().actionCount, 100 * row.actionShare(), wins,
                        row.wins().low(), row.wins().high(), row.metrics().falsePositiveActions, row.falsePositives().low(),
                        row.falsePositives().high(), row.metrics().precision,
                        wins == 0 ? "-" : String.format(Locale.ROOT, "%.3f", (double) row.metrics().falsePositiveActions / wins),
                        row.probabilityOfLoss());
            }
            notes.add(String.format(Locale.ROOT, "%s: %d folds (%d tuning rows, %d unseen rows in the last %d folds); tuning AUC %.3f"
                            + " (5th percentile %.3f: %s); unseen AUC %.3f,"
                            + " ECE %.3f; false positives vs single model %.1f%% [%.1f%%, %.1f%%]; tuned %s; without the learned"
                            + " gate %s; %.0f s",
                    s.name(), prepared.layout().size(), r.tuningRows(), r.unseenRows(), s.unseenFolds(), r.tuningEdge().auc(),
                    r.tuningEdge().low(), r.stayedOut() ? "no edge shown, the tuned rows stay out" : "an edge",
                    r.unseenAuc(), r.unseenEce(),
                    -100 * r.fpReductionVsSingle().value(), -100 * r.fpReductionVsSingle().high(), -100 * r.fpReductionVsSingle().low(),
                    rounded(r.tuned()), rounded(r.tunedWithoutLearnedGate()), (System.nanoTime() - started) / 1e9));
        }
        System.out.println();
        notes.forEach(n -> System.out.println("- " + n));
    }

    private static String rounded(Map<String, Double> params) {
        StringBuilder b = new StringBuilder("{");
        params.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=')
                .append(String.format(Locale.ROOT, "%.3g", v)));
        return b.append('}').toString();
    }

    static List<dev.arbiter.optimizer.training.ModelSettings> members() {
        return WalkForwardBacktest.members(List.of(
                member(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, 60),
                member(ModelKind.MODEL_KIND_RANDOM_FOREST, 40),
                member(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, 0),
                member(ModelKind.MODEL_KIND_LINEAR_SVM, 0)));
    }

    private static ModelTrainingConfig member(ModelKind kind, long trees) {
        ModelTrainingConfig.Builder b = ModelTrainingConfig.newBuilder().setKind(kind);
        if (trees > 0) {
            b.putHyperparameters("n_estimators", ParameterValue.newBuilder().setIntValue(trees).build());
        }
        return b.build();
    }

    static SeriesHistory electricity(Path dir) throws IOException {
        List<String[]> rows = csv(dir.resolve("taylor_electricity_halfhourly.csv"));
        long[] ts = new long[rows.size()];
        double[] v = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            ts[i] = LocalDateTime.parse(rows.get(i)[0]).atZone(ZoneId.of("Europe/London")).toEpochSecond() * 1_000_000L;
            v[i] = Double.parseDouble(rows.get(i)[1]);
        }
        return history("electricity", ts, v);
    }

    /** One index of EuStockMarkets (column 3 DAX, 4 SMI, 5 CAC, 6 FTSE, 0-based), on its reconstructed weekdays. */
    static SeriesHistory euStock(Path dir, int column, String name) throws IOException {
        List<String[]> rows = csv(dir.resolve("eustockmarkets_daily.csv"));
        long[] ts = new long[rows.size()];
        double[] v = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            ts[i] = LocalDate.parse(rows.get(i)[2]).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L;
            v[i] = Double.parseDouble(rows.get(i)[column]);
        }
        return history(name, ts, v);
    }

    /** BMW's daily log returns turned back into a price path starting at 100. */
    static SeriesHistory bmw(Path dir) throws IOException {
        List<String[]> rows = csv(dir.resolve("bmw_logreturns_daily.csv"));
        long[] ts = new long[rows.size()];
        double[] v = new double[rows.size()];
        double level = Math.log(100);
        for (int i = 0; i < rows.size(); i++) {
            ts[i] = LocalDate.parse(rows.get(i)[0]).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L;
            level += Double.parseDouble(rows.get(i)[1]);
            v[i] = Math.exp(level);
        }
        return history("bmw", ts, v);
    }

    private static SeriesHistory history(String id, long[] ts, double[] v) {
        double[] nan = new double[v.length];
        Arrays.fill(nan, Double.NaN);
        return new SeriesHistory(id, ts, v, nan, nan, nan, nan);
    }

    private static List<String[]> csv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String[]> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank()) {
                out.add(line.split(","));
            }
        }
        return out;
    }
}
