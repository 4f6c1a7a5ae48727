package dev.arbiter.cli.optimizer;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.cli.client.UpdateStream;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.options.LabelOptions;
import dev.arbiter.cli.options.ModelKindOption;
import dev.arbiter.cli.options.Params;
import dev.arbiter.cli.options.RangeOptions;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.ClassificationMetrics;
import dev.arbiter.proto.v1.MetaModelTraining;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.RunTrainingRequest;
import dev.arbiter.proto.v1.TrainingJobState;
import dev.arbiter.proto.v1.TrainingProgress;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.proto.v1.TrainingSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code arbiter train}: RunTraining with a progress bar, then the validation metrics. */
@Command(name = "train", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Train one model kind on stored history; print its validation metrics.", sortOptions = false,
        description = {"Train one model kind on stored history (optimizer-service), register it in model-service as "
                + "--register says, and print its validation metrics (Brier score, ECE, AUC).",
                "Example: arbiter train --kind gbt --series demand --horizon 4 --param max_depth=4 --register always"})
public class TrainCommand extends CliCommand {

    @Option(names = "--kind", required = true, paramLabel = "KIND",
            description = "The model kind: ${COMPLETION-CANDIDATES} (gradient-boosted trees, random forest, logistic "
                    + "regression, linear SVM).")
    ModelKindOption kind;

    @Option(names = "--series", required = true, split = ",", paramLabel = "ID",
            description = "The series whose history is the training data (comma-separated or repeated).")
    List<String> series;

    @Option(names = "--name", paramLabel = "MODEL", description = "The model to register under (default: KIND-SERIES).")
    String name;

    @Mixin
    LabelOptions label;

    @Option(names = "--register", paramLabel = "WHEN", defaultValue = "if-better",
            description = "${COMPLETION-CANDIDATES}: if-better registers only when the validation Brier score beats the "
                    + "ACTIVE champion's on the same rows (default: ${DEFAULT-VALUE}).")
    Registration register;

    @Option(names = "--param", paramLabel = "NAME=VALUE",
            description = "A hyperparameter, repeatable: gbt n_estimators, max_depth, eta, subsample, ...; rf n_estimators, "
                    + "max_depth, ...; logreg and svm c, max_iterations, ... (the service lists them when a name is wrong).")
    List<String> params = new ArrayList<>();

    @Option(names = "--calibration", paramLabel = "METHOD",
            description = "${COMPLETION-CANDIDATES} (default: platt for svm, none otherwise).")
    Calibration calibration;

    @Option(names = "--validation-fraction", paramLabel = "F", defaultValue = "0",
            description = "The latest share of the range held out for validation (default: the service's, 0.2).")
    double validationFraction;

    @Mixin
    RangeOptions range;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--description", paramLabel = "TEXT", description = "Recorded on the model version.")
    String description;

    @Option(names = "--meta-of", split = ",", paramLabel = "KIND",
            description = "Train the learned gate's model (meta-labelling; --kind logreg) of an ensemble of these member "
                    + "kinds, as a backtest trains it in each fold, for the ensemble's meta model "
                    + "(arbiter ensemble ... and DefineEnsemble's meta_model); its member weights are in the version's "
                    + "training metadata.")
    List<ModelKindOption> metaOf = new ArrayList<>();

    TrainingSpec spec() {
        ModelTrainingConfig.Builder model = ModelTrainingConfig.newBuilder().setKind(kind.proto)
                .putAllHyperparameters(Params.parse("--param", params));
        if (calibration != null) {
            model.setCalibration(calibration.proto);
        }
        TrainingSpec.Builder b = TrainingSpec.newBuilder()
                .setModelName(name != null ? name : defaultName(kind, series.get(0)))
                .setModel(model)
                .addAllSeriesIds(series)
                .setValidationFraction(validationFraction)
                .setLabel(label.toProto())
                .setRegistration(register.proto)
                .setSeed(seed)
                .setDescription(description != null ? description : "arbiter train --kind " + kind + " (" + label.describe() + ")");
        if (range.isSet()) {
            b.setRange(range.toProto());
        }
        if (!metaOf.isEmpty()) {
            MetaModelTraining.Builder meta = MetaModelTraining.newBuilder();
            metaOf.forEach(k -> meta.addMembers(ModelTrainingConfig.newBuilder().setKind(k.proto)));
            b.setMeta(meta);
        }
        return b.build();
    }

    /** KIND-SERIES in the characters model names allow: lowercase letters, digits, '-', '_'; at most 64. */
    static String defaultName(ModelKindOption kind, String series) {
        String n = (kind + "-" + series).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-");
        return n.length() <= 64 ? n : n.substring(0, 64);
    }

    @Override
    public Integer call() {
        if (series.stream().anyMatch(String::isBlank)) {
            throw new UsageError("--series has an empty id; give the series' ids");
        }
        TrainingSpec spec = spec();
        TrainingResult result = run(services(), spec, progress("train " + kind + " " + spec.getModelName()));
        print(result, out());
        return result.getState() == TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED ? 0 : 1;
    }

    /** RunTraining with {@code spec}, its progress shown on {@code progress}; the job's result. */
    public static TrainingResult run(Services services, TrainingSpec spec, Progress progress) {
        TrainingResult result;
        try {
            result = services.call(Service.OPTIMIZER, () -> UpdateStream.result(
                    services.streaming(Service.OPTIMIZER, OptimizerServiceGrpc::newBlockingStub)
                            .runTraining(RunTrainingRequest.newBuilder().setSpec(spec).build()),
                    u -> u.hasResult() ? u.getResult() : null,
                    u -> progress.update(u.getProgress().getFractionComplete(), describe(u.getProgress())),
                    "RunTraining"));
        } catch (RuntimeException e) {
            progress.abandon();
            throw e;
        }
        progress.finish(result.getState() == TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED ? "done" : "stopped");
        return result;
    }

    /** "training: boosting round 45 of 200"; the phase alone when the message only repeats it. */
    static String describe(TrainingProgress p) {
        String phase = p.getPhase().name().replace("TRAINING_PHASE_", "").replace('_', ' ').toLowerCase(Locale.ROOT);
        return p.getMessage().isEmpty() || p.getMessage().equalsIgnoreCase(phase) ? phase : phase + ": " + p.getMessage();
    }

    static void print(TrainingResult r, PrintWriter out) {
        out.println("job " + r.getJobId() + ": " + r.getState().name().replace("TRAINING_JOB_STATE_", "") + " in "
                + Fmt.duration(r.getDurationMs()));
        if (r.getRegistered()) {
            String model = r.getModelVersion().getModelName();
            int version = r.getModelVersion().getVersion();
            out.println("registered " + model + " v" + version + " (STAGED)");
            if (!r.getReason().isEmpty()) {
                out.println("why: " + r.getReason());
            }
            out.println("activate it with: arbiter models activate " + model + " " + version);
        } else {
            out.println((r.getState() == TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED ? "not registered" : "stopped")
                    + (r.getReason().isEmpty() ? "" : ": " + r.getReason()));
        }
        if (r.getState() != TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED) {
            out.flush();
            return;
        }
        out.println("trained on " + Fmt.count(r.getTrainRows()) + " rows, validated on " + Fmt.count(r.getValidationRows())
                + " later rows (feature schema " + r.getFeatureSchemaId() + ")");
        out.println();
        Table t = metricsTable();
        metricsRow(t, "validation", r.getValidationMetrics());
        metricsRow(t, "train", r.getTrainMetrics());
        if (r.hasChampion()) {
            metricsRow(t, "champion " + r.getChampion().getModelName() + " v" + r.getChampion().getVersion(),
                    r.getChampionMetrics());
        }
        t.print(out);
        if (r.hasChampion()) {
            out.println(brierDifference("the champion", r, "the new model"));
        }
    }

    /** "Brier score difference against CHAMPION, per row: d, 95% interval [l, u] (below 0: NEW is better)". */
    static String brierDifference(String champion, TrainingResult r, String challenger) {
        return "Brier score difference against " + champion + ", per row: " + Fmt.num(r.getBrierDifference(), 6)
                + ", 95% interval [" + Fmt.num(r.getBrierDifferenceLower(), 6) + ", "
                + Fmt.num(r.getBrierDifferenceUpper(), 6) + "] (below 0: " + challenger + " is better)";
    }

    /** The columns of probability-quality metrics (train, and the model rows of backtests). */
    static Table metricsTable() {
        return new Table().left("").right("rows").right("brier").right("ece").right("auc").right("log loss")
                .right("accuracy").right("positives");
    }

    static void metricsRow(Table t, String label, ClassificationMetrics m) {
        t.row(label, Fmt.count(m.getSampleCount()), Fmt.num(m.getBrierScore(), 4), Fmt.num(m.getExpectedCalibrationError(), 4),
                Fmt.num(m.getRocAuc(), 4), Fmt.num(m.getLogLoss(), 4), Fmt.percent(m.getAccuracy()),
                Fmt.percent(m.getPositiveRate()));
    }
}
