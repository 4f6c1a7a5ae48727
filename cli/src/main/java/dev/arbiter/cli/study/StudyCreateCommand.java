package dev.arbiter.cli.study;

import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.optimizer.BacktestCommand;
import dev.arbiter.proto.v1.CreateStudyRequest;
import dev.arbiter.proto.v1.Distribution;
import dev.arbiter.proto.v1.FloatDistribution;
import dev.arbiter.proto.v1.IntDistribution;
import dev.arbiter.proto.v1.PrunerConfig;
import dev.arbiter.proto.v1.PrunerKind;
import dev.arbiter.proto.v1.SamplerConfig;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.StudyDirection;
import dev.arbiter.proto.v1.StudyEvaluation;
import dev.arbiter.proto.v1.StudyObjective;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arbiter study create}: a study whose trials are walk-forward backtests. It takes every {@code arbiter backtest}
 * option for the evaluation, plus the search space, the objectives, the sampler's seed and the pruner.
 */
@Command(name = "create", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Create a study: search space, objectives, pruner, and the walk-forward backtest that evaluates a trial.",
        sortOptions = false,
        description = {"Every option of 'arbiter backtest' sets the evaluation; --space, --objective and --pruner the study.",
                "Example: arbiter study create --study demand-tpe --series demand --train 1500 --test 500 --folds 4 "
                        + "--horizon 4 --members logreg --space gate.min_edge=0:0.25 --space risk.max_size=0.05:0.5 "
                        + "--objective sharpe:max --objective false_positive_actions:min --pruner none --seed 7"})
public class StudyCreateCommand extends BacktestCommand {

    @Option(names = "--study", required = true, paramLabel = "NAME", description = "The study's name (unique).")
    String study;

    @Option(names = "--space", required = true, paramLabel = "NAME=LOW:HIGH[:log|:int]",
            description = "A policy parameter or a member's hyperparameter (members[i].NAME, i counting --members "
                    + "from 0) to tune and its range, repeatable, e.g. gate.min_edge=0:0.25, "
                    + "confidence.edge_scale=0.5:10:log or members[0].max_depth=2:6:int.")
    List<String> space = new ArrayList<>();

    @Option(names = "--objective", paramLabel = "METRIC:max|min", defaultValue = "sharpe:max",
            description = "What to optimise, repeatable (two or more give a Pareto front): a backtest metric (sharpe, "
                    + "pnl, precision, false_positive_actions, max_drawdown, ...) (default: ${DEFAULT-VALUE}).")
    List<String> objectives = new ArrayList<>();

    @Option(names = "--pruner", paramLabel = "KIND", defaultValue = "wilcoxon",
            description = "median, percentile:P, halving, wilcoxon or none: stops a trial early after a fold "
                    + "(single objective only) (default: ${DEFAULT-VALUE}).")
    String pruner;

    @Option(names = "--startup-trials", paramLabel = "N", defaultValue = "10",
            description = "Random trials before TPE starts (default: ${DEFAULT-VALUE}).")
    int startupTrials;

    @Option(names = "--description", paramLabel = "TEXT", description = "What the study is for.")
    String description;

    Study study() throws IOException {
        Study.Builder b = Study.newBuilder()
                .setStudyName(study)
                .setSampler(SamplerConfig.newBuilder().setSeed(seed).setNStartupTrials(startupTrials))
                .setPruner(pruner(pruner))
                .setEvaluation(StudyEvaluation.newBuilder().setBacktest(spec().toBuilder().clearAblationVariants()));
        if (description != null) {
            b.setDescription(description);
        }
        for (String s : space) {
            int eq = s.indexOf('=');
            String[] range = eq > 0 ? s.substring(eq + 1).split(":") : new String[0];
            if (range.length < 2 || range.length > 3) {
                throw new UsageError("--space '" + s + "' is not NAME=LOW:HIGH[:log|:int], e.g. gate.min_edge=0:0.25");
            }
            b.putSearchSpace(s.substring(0, eq), distribution(s, range));
        }
        for (String o : objectives) {
            int colon = o.lastIndexOf(':');
            String dir = colon > 0 ? o.substring(colon + 1) : "";
            if (!dir.equals("max") && !dir.equals("min")) {
                throw new UsageError("--objective '" + o + "' is not METRIC:max or METRIC:min, e.g. sharpe:max");
            }
            b.addObjectives(StudyObjective.newBuilder().setName(o.substring(0, colon)).setDirection(
                    dir.equals("max") ? StudyDirection.STUDY_DIRECTION_MAXIMIZE : StudyDirection.STUDY_DIRECTION_MINIMIZE));
        }
        return b.build();
    }

    private static Distribution distribution(String option, String[] range) {
        String kind = range.length == 3 ? range[2] : "";
        try {
            if (kind.equals("int")) {
                return Distribution.newBuilder().setIntDistribution(IntDistribution.newBuilder()
                        .setLow(Long.parseLong(range[0])).setHigh(Long.parseLong(range[1]))).build();
            }
            if (!kind.isEmpty() && !kind.equals("log")) {
                throw new UsageError("--space '" + option + "' ends in :" + kind + "; use :log or :int, or nothing");
            }
            return Distribution.newBuilder().setFloatDistribution(FloatDistribution.newBuilder()
                    .setLow(Double.parseDouble(range[0])).setHigh(Double.parseDouble(range[1])).setLog(kind.equals("log"))).build();
        } catch (NumberFormatException e) {
            throw new UsageError("--space '" + option + "' has a bound that is not a number");
        }
    }

    static PrunerConfig pruner(String kind) {
        PrunerConfig.Builder b = PrunerConfig.newBuilder();
        if (kind.startsWith("percentile:")) {
            try {
                return b.setKind(PrunerKind.PRUNER_KIND_PERCENTILE).setPercentile(Double.parseDouble(kind.substring(11))).build();
            } catch (NumberFormatException e) {
                throw new UsageError("--pruner '" + kind + "' is not percentile:P with P a number, e.g. percentile:25");
            }
        }
        return switch (kind) {
            case "median" -> b.setKind(PrunerKind.PRUNER_KIND_MEDIAN).build();
            case "halving" -> b.setKind(PrunerKind.PRUNER_KIND_SUCCESSIVE_HALVING).build();
            case "wilcoxon" -> b.setKind(PrunerKind.PRUNER_KIND_WILCOXON).build();
            case "none" -> b.setKind(PrunerKind.PRUNER_KIND_NONE).build();
            default -> throw new UsageError("--pruner '" + kind + "' is not median, percentile:P, halving, wilcoxon or none");
        };
    }

    @Override
    public Integer call() throws IOException {
        Study definition = study();
        Study created = optimizer(s -> s.createStudy(CreateStudyRequest.newBuilder().setStudy(definition).build()));
        out().println("study " + created.getStudyName() + " created: " + created.getSearchSpaceCount() + " parameters, "
                + created.getObjectivesCount() + " objective(s)");
        out().println("run it: arbiter study run --study " + created.getStudyName() + " --trials 200");
        out().flush();
        return 0;
    }
}
