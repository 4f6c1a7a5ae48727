package dev.arbiter.cli.optimizer;

import dev.arbiter.cli.options.ModelKindOption;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.AblationRow;
import dev.arbiter.proto.v1.AblationVariant;
import dev.arbiter.proto.v1.BacktestReport;
import dev.arbiter.proto.v1.BacktestSpec;
import dev.arbiter.proto.v1.BootstrapDistribution;
import dev.arbiter.proto.v1.FoldResult;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.PercentileValue;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.StressReport;
import dev.arbiter.proto.v1.TimeRange;
import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.stream.Collectors;

/** Prints stored reports: a backtest's folds and ablation table, a stress test's percentile bands. */
public final class ReportPrinter {

    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private ReportPrinter() {
    }

    public static void backtest(BacktestReport r, PrintWriter out) {
        BacktestSpec s = r.getSpec();
        out.println("backtest " + r.getReportId() + (s.getName().isEmpty() ? "" : " \"" + s.getName() + "\"") + ": "
                + String.join(",", s.getSeriesIdsList()) + ", " + r.getFoldsCount() + " folds, "
                + (s.getMembersCount() > 0 ? "members " + s.getMembersList().stream().map(ReportPrinter::member)
                        .collect(Collectors.joining(",")) : "ensemble " + s.getEnsembleName())
                + ", cost " + java.math.BigDecimal.valueOf(s.getCostPerTurnover()).stripTrailingZeros().toPlainString()
                + " per turnover, seed " + s.getSeed() + " (" + Fmt.duration(r.getDurationMs()) + ")");
        out.println();
        Table folds = new Table().right("fold").left("train (UTC)").left("test (UTC)").right("decisions").right("actions")
                .right("precision").right("pnl").right("sharpe").right("max dd").right("auc").right("brier");
        for (FoldResult f : r.getFoldsList()) {
            PerformanceMetrics m = f.getMetrics();
            folds.row(f.getFoldIndex(), range(f.getTrainRange()), range(f.getTestRange()), Fmt.count(m.getDecisionCount()),
                    Fmt.count(m.getActionCount()), Fmt.percent(m.getPrecision()), Fmt.signed(m.getPnl(), 4),
                    Fmt.num(m.getSharpe(), 4), Fmt.num(m.getMaxDrawdown(), 4), Fmt.num(f.getModelMetrics().getRocAuc(), 3),
                    Fmt.num(f.getModelMetrics().getBrierScore(), 4));
        }
        PerformanceMetrics t = r.getTotal();
        folds.row("all", "", "", Fmt.count(t.getDecisionCount()), Fmt.count(t.getActionCount()), Fmt.percent(t.getPrecision()),
                Fmt.signed(t.getPnl(), 4), Fmt.num(t.getSharpe(), 4), Fmt.num(t.getMaxDrawdown(), 4),
                Fmt.num(r.getTotalModelMetrics().getRocAuc(), 3), Fmt.num(r.getTotalModelMetrics().getBrierScore(), 4));
        folds.print(out);
        if (r.getAblationCount() > 0) {
            out.println();
            out.println("ablation (the same test windows, parts of the policy switched off):");
            Table a = new Table().left("variant").right("threshold").right("actions").right("wins").right("false-pos")
                    .right("fp/win").right("precision").right("pnl").right("sharpe").right("max dd");
            for (AblationRow row : r.getAblationList()) {
                PerformanceMetrics m = row.getTotal();
                long wins = wins(m);
                a.row(variant(row), Fmt.num(row.getThreshold(), 4), Fmt.count(m.getActionCount()), Fmt.count(wins),
                        Fmt.count(m.getFalsePositiveActions()),
                        wins == 0 ? "-" : Fmt.num((double) m.getFalsePositiveActions() / wins, 3),
                        Fmt.percent(m.getPrecision()), Fmt.signed(m.getPnl(), 4), Fmt.num(m.getSharpe(), 4),
                        Fmt.num(m.getMaxDrawdown(), 4));
            }
            a.print(out);
        }
        out.flush();
    }

    public static void stress(StressReport r, PrintWriter out) {
        out.println("stress test " + r.getReportId() + " of backtest " + r.getBacktestReportId() + ": "
                + Fmt.count(r.getConfig().getResamples()) + " resamples, mean block " + Fmt.num(r.getConfig()
                .getMeanBlockLengthDecisions(), 1) + " decisions, seed " + r.getConfig().getSeed() + " ("
                + Fmt.duration(r.getDurationMs()) + ")");
        out.println();
        Table t = new Table().left("metric").right("observed").right("mean").right("std dev");
        if (r.getDistributionsCount() > 0) {
            for (PercentileValue p : r.getDistributions(0).getPercentilesList()) {
                t.right("p" + Fmt.num(p.getPercentile(), p.getPercentile() == Math.rint(p.getPercentile()) ? 0 : 1));
            }
        }
        for (BootstrapDistribution d : r.getDistributionsList()) {
            Object[] cells = new Object[4 + d.getPercentilesCount()];
            cells[0] = d.getMetric();
            cells[1] = Fmt.num(d.getObserved(), 4);
            cells[2] = Fmt.num(d.getMean(), 4);
            cells[3] = Fmt.num(d.getStdDev(), 4);
            for (int i = 0; i < d.getPercentilesCount(); i++) {
                cells[4 + i] = Fmt.num(d.getPercentiles(i).getValue(), 4);
            }
            t.row(cells);
        }
        t.print(out);
        out.println();
        out.println("probability of loss (pnl < 0 over a resampled path): " + Fmt.percent(r.getProbabilityOfLoss()));
        out.flush();
    }

    /**
     * Winning actions. PerformanceMetrics carries precision = wins / (wins + losing actions) and the losing
     * (false-positive) actions, so wins = precision x losses / (1 - precision), exact for counts this size. With no
     * losing action the wins are the actions (an action at exactly zero return, neither, is then counted as a win).
     */
    static long wins(PerformanceMetrics m) {
        double p = m.getPrecision();
        long losses = m.getFalsePositiveActions();
        if (losses == 0) {
            return p > 0 ? m.getActionCount() : 0;
        }
        return Math.round(p * losses / (1 - p));
    }

    static String variant(AblationRow row) {
        return switch (row.getVariant()) {
            case ABLATION_VARIANT_SINGLE_MODEL_THRESHOLD -> "single best model + threshold";
            case ABLATION_VARIANT_ENSEMBLE -> "ensemble + threshold";
            case ABLATION_VARIANT_ENSEMBLE_GATED_RISK -> "full policy";
            case ABLATION_VARIANT_ENSEMBLE_GATED_RISK_LEARNED_GATE -> "full policy + learned gate";
            default -> row.getName().isEmpty() ? row.getVariant().name() : row.getName();
        };
    }

    /** The ablation rows every backtest asks for, in the order of the table. */
    static final AblationVariant[] ABLATION = {AblationVariant.ABLATION_VARIANT_SINGLE_MODEL_THRESHOLD,
            AblationVariant.ABLATION_VARIANT_ENSEMBLE, AblationVariant.ABLATION_VARIANT_ENSEMBLE_GATED_RISK,
            AblationVariant.ABLATION_VARIANT_ENSEMBLE_GATED_RISK_LEARNED_GATE};

    private static String member(ModelTrainingConfig m) {
        return ModelKindOption.name(m.getKind());
    }

    private static String range(TimeRange r) {
        return MINUTES.format(java.time.Instant.ofEpochSecond(r.getStartTsMicros() / 1_000_000)) + " .. "
                + MINUTES.format(java.time.Instant.ofEpochSecond((r.getEndTsMicros() - 1) / 1_000_000));
    }
}
