package dev.arbiter.cli.optimizer;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.UpdateStream;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.options.Checks;
import dev.arbiter.cli.options.LabelOptions;
import dev.arbiter.cli.options.ModelKindOption;
import dev.arbiter.cli.options.Params;
import dev.arbiter.cli.options.RangeOptions;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.proto.v1.BacktestProgress;
import dev.arbiter.proto.v1.BacktestReport;
import dev.arbiter.proto.v1.BacktestSpec;
import dev.arbiter.proto.v1.FoldScheme;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.RunBacktestRequest;
import dev.arbiter.proto.v1.WalkForwardConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code arbiter backtest}: a walk-forward RunBacktest with progress per fold, then the fold and ablation tables. */
@Command(name = "backtest", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Walk-forward backtest, with the fold and ablation tables.", sortOptions = false,
        description = {"Walk-forward backtest on stored history (optimizer-service): in each fold the members are "
                + "trained on the training window and the full decision policy runs over the test window. Prints the "
                + "folds and the ablation table (single best model + threshold, ensemble + threshold, full policy).",
                "Example: arbiter backtest --series demand --train 1500 --test 500 --folds 3 --horizon 4 "
                        + "--member-param gbt.n_estimators=40 --cost 0.0001"})
public class BacktestCommand extends CliCommand {

    @Option(names = "--series", required = true, split = ",", paramLabel = "ID", description = "The series to run over.")
    List<String> series;

    @Option(names = "--train", required = true, paramLabel = "N", description = "Training window, in observations.")
    int train;

    @Option(names = "--test", required = true, paramLabel = "N", description = "Test window, in observations.")
    int test;

    @Option(names = "--step", paramLabel = "N", defaultValue = "0",
            description = "How far each fold moves forward (default: the test window).")
    int step;

    @Option(names = "--gap", paramLabel = "N", defaultValue = "0",
            description = "Embargo between training and test windows (default: the label horizon).")
    int gap;

    @Option(names = "--folds", paramLabel = "N", defaultValue = "0",
            description = "At most this many folds, the latest (default: as many as fit).")
    int folds;

    @Option(names = "--expanding", description = "Grow the training window from its start instead of sliding it.")
    boolean expanding;

    @Mixin
    LabelOptions label;

    @Option(names = "--members", split = ",", paramLabel = "KIND", defaultValue = "gbt,rf,logreg,svm",
            description = "The ensemble members retrained in each fold (default: ${DEFAULT-VALUE}).")
    List<ModelKindOption> members;

    @Option(names = "--member-param", paramLabel = "KIND.NAME=VALUE",
            description = "A member's hyperparameter, repeatable, e.g. gbt.n_estimators=40 or rf.max_depth=4.")
    List<String> memberParams = new ArrayList<>();

    @Option(names = "--param", paramLabel = "NAME=VALUE",
            description = "A policy parameter override, repeatable, e.g. gate.min_confidence=0.6 or risk.max_size=0.5.")
    List<String> params = new ArrayList<>();

    @Option(names = "--rules-file", paramLabel = "FILE",
            description = "CEL rules to evaluate, one a line: '<gate|sizing> <rule_id>: <expression>' (default: none).")
    Path rulesFile;

    @Option(names = "--cost", paramLabel = "FRACTION", defaultValue = "0",
            description = "Trading cost per unit of turnover, e.g. 0.0002 = 2 bps (default: ${DEFAULT-VALUE}).")
    double cost;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    protected long seed;

    @Option(names = "--name", paramLabel = "TEXT", description = "A label for the report.")
    String name;

    @Option(names = "--no-ablation", description = "Skip the ablation rows (faster).")
    boolean noAblation;

    @Mixin
    RangeOptions range;

    protected BacktestSpec spec() throws IOException {
        Checks.positive("--train", train);
        Checks.positive("--test", test);
        Checks.notNegative("--step", step);
        Checks.notNegative("--gap", gap);
        Checks.notNegative("--folds", folds);
        BacktestSpec.Builder b = BacktestSpec.newBuilder()
                .setName(name != null ? name : "walk-forward " + String.join(",", series))
                .addAllSeriesIds(series)
                .setWalkForward(WalkForwardConfig.newBuilder()
                        .setScheme(expanding ? FoldScheme.FOLD_SCHEME_EXPANDING : FoldScheme.FOLD_SCHEME_ROLLING)
                        .setTrainObservations(train).setTestObservations(test).setStepObservations(step)
                        .setGapObservations(gap).setMaxFolds(folds))
                .setLabel(label.toProto())
                .putAllParameterOverrides(Params.parse("--param", params))
                .setCostPerTurnover(cost)
                .setSeed(seed);
        // The contract's spec.ensemble_name (predict with a registered ensemble) is refused by this version of
        // optimizer-service, so the CLI offers only the members retrained in each fold.
        Map<ModelKindOption, ModelTrainingConfig.Builder> configs = new EnumMap<>(ModelKindOption.class);
        for (ModelKindOption k : new LinkedHashSet<>(members)) {
            configs.put(k, ModelTrainingConfig.newBuilder().setKind(k.proto));
        }
        memberParams(configs);
        configs.values().forEach(b::addMembers);
        if (rulesFile != null) {
            b.setInlineRuleSet(RulesFile.read(rulesFile));
        }
        if (!noAblation) {
            for (var v : ReportPrinter.ABLATION) {
                b.addAblationVariants(v);
            }
        }
        if (range.isSet()) {
            b.setRange(range.toProto());
        }
        return b.build();
    }

    private void memberParams(Map<ModelKindOption, ModelTrainingConfig.Builder> configs) {
        for (String p : memberParams) {
            int dot = p.indexOf('.');
            int eq = p.indexOf('=');
            if (dot <= 0 || eq < dot) {
                throw new UsageError("--member-param '" + p + "' is not KIND.NAME=VALUE, e.g. gbt.n_estimators=40");
            }
            String kind = p.substring(0, dot);
            ModelKindOption k = null;
            for (ModelKindOption o : ModelKindOption.values()) {
                if (o.toString().equals(kind)) {
                    k = o;
                }
            }
            if (k == null || !configs.containsKey(k)) {
                throw new UsageError("--member-param '" + p + "' names " + kind + ", which is not among --members " + configs.keySet());
            }
            Map<String, ParameterValue> v = Params.parse("--member-param", List.of(p.substring(dot + 1)));
            configs.get(k).putAllHyperparameters(v);
        }
    }

    private static void progress(Progress progress, BacktestProgress p) {
        progress.update(p.getFractionComplete(), p.getMessage().isEmpty()
                ? "fold " + p.getFoldsDone() + " of " + p.getFoldCount() : p.getMessage());
    }

    @Override
    public Integer call() throws IOException {
        BacktestSpec spec = spec();
        Progress progress = progress("backtest");
        BacktestReport report;
        try {
            report = services().call(Service.OPTIMIZER, () -> UpdateStream.result(
                    services().streaming(Service.OPTIMIZER, OptimizerServiceGrpc::newBlockingStub)
                            .runBacktest(RunBacktestRequest.newBuilder().setSpec(spec).build()),
                    u -> u.hasReport() ? u.getReport() : null,
                    u -> progress(progress, u.getProgress()),
                    "RunBacktest"));
        } catch (RuntimeException e) {
            progress.abandon();
            throw e;
        }
        progress.finish(report.getFoldsCount() + " folds done");
        ReportPrinter.backtest(report, out());
        out().println();
        out().println("stress-test it: arbiter stress --report " + report.getReportId());
        out().flush();
        return 0;
    }
}
