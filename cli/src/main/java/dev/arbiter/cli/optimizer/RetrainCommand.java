package dev.arbiter.cli.optimizer;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.cli.client.UpdateStream;
import dev.arbiter.cli.options.ModelKindOption;
import dev.arbiter.cli.options.Params;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.RetrainRequest;
import dev.arbiter.proto.v1.RetrainUpdate;
import dev.arbiter.proto.v1.Retraining;
import dev.arbiter.proto.v1.RetrainingState;
import dev.arbiter.proto.v1.RetrainingStep;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter retrain}: Retrain with a progress bar, then the comparison with the champion and the ramp's start. */
@Command(name = "retrain", mixinStandardHelpOptions = true, abbreviateSynopsis = true, sortOptions = false,
        header = "Retrain a model's champion on the latest history; ramp the challenger in if it is better with confidence.",
        description = {"Train the champion (the model's ACTIVE version) again as its training job was set up, on the latest "
                + "history, and compare it with the champion on the same validation rows. A challenger whose Brier score is "
                + "better with 95 % confidence is registered, activated and joins the ensemble under a small weight cap "
                + "that optimizer-service raises step by step (arbiter.optimizer.retraining.ramp-*) until it replaces the "
                + "champion, unless the live scores turn against it. Follow the ramp with arbiter retrainings.",
                "Example: arbiter retrain gbt-demand --ensemble default --reason \"monthly refresh\""})
public class RetrainCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model whose champion to retrain.")
    String model;

    @Option(names = "--ensemble", required = true, paramLabel = "NAME",
            description = "The ensemble the champion is a member of; the challenger ramps into it.")
    String ensemble;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded and alerted).")
    String reason;

    @Option(names = "--kind", paramLabel = "KIND",
            description = "Train this kind instead of the champion's own: ${COMPLETION-CANDIDATES}.")
    ModelKindOption kind;

    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "A hyperparameter of --kind, repeatable.")
    List<String> params = new ArrayList<>();

    RetrainRequest request() {
        RetrainRequest.Builder b = RetrainRequest.newBuilder().setModelName(model).setEnsembleName(ensemble).setReason(reason);
        if (kind != null) {
            b.setChallenger(ModelTrainingConfig.newBuilder().setKind(kind.proto)
                    .putAllHyperparameters(Params.parse("--param", params)));
        } else if (!params.isEmpty()) {
            throw new dev.arbiter.cli.client.UsageError("--param needs --kind: the champion's own hyperparameters are "
                    + "repeated unless another kind is trained");
        }
        return b.build();
    }

    @Override
    public Integer call() {
        RetrainRequest request = request();
        Retraining r = run(services(), request, progress("retrain " + model), out());
        print(r, out());
        return r.getState() == RetrainingState.RETRAINING_STATE_FAILED ? 1 : 0;
    }

    /** Retrain, its start printed on {@code out} and the training's progress on {@code progress}; the retraining once trained. */
    static Retraining run(Services services, RetrainRequest request, Progress progress, PrintWriter out) {
        Retraining trained;
        try {
            trained = services.call(Service.OPTIMIZER, () -> UpdateStream.result(
                    services.streaming(Service.OPTIMIZER, OptimizerServiceGrpc::newBlockingStub).retrain(request),
                    (RetrainUpdate u) -> u.hasTrained() ? u.getTrained() : null,
                    u -> {
                        if (u.hasStarted()) {
                            Retraining s = u.getStarted();
                            out.println("retraining " + s.getRetrainingId() + " of " + s.getModelName() + " v"
                                    + s.getChampion().getVersion() + " (the champion) started: training job " + s.getJobId());
                            out.flush();
                        } else {
                            progress.update(u.getProgress().getFractionComplete(), TrainCommand.describe(u.getProgress()));
                        }
                    },
                    "Retrain"));
        } catch (RuntimeException e) {
            progress.abandon();
            throw e;
        }
        progress.finish(trained.getState() == RetrainingState.RETRAINING_STATE_FAILED ? "stopped" : "done");
        return trained;
    }

    /** The retraining: its state, the comparison with the champion, and the ramp so far. */
    static void print(Retraining r, PrintWriter out) {
        out.println("retraining " + r.getRetrainingId() + " of " + r.getModelName() + ": " + state(r.getState())
                + (r.getOutcome().isEmpty() ? "" : ": " + r.getOutcome()));
        if (r.hasTrainingResult() && r.getTrainingResult().hasChampion()) {
            out.println(TrainCommand.brierDifference("v" + r.getChampion().getVersion(), r.getTrainingResult(),
                    "the challenger"));
        }
        for (RetrainingStep s : r.getStepsList()) {
            out.println("  step " + s.getStep() + " " + Fmt.moment(s.getTsMicros()) + " "
                    + s.getAction().name().replace("RETRAINING_ACTION_", "").toLowerCase(Locale.ROOT).replace('_', ' ')
                    + ": " + s.getNote() + " (ensemble revision " + s.getEnsembleRevision() + ")");
        }
        if (r.getState() == RetrainingState.RETRAINING_STATE_RAMPING) {
            out.println("the ramp goes on in optimizer-service; follow it with: arbiter retrainings --model " + r.getModelName());
        }
        out.flush();
    }

    static String state(RetrainingState s) {
        return s.name().replace("RETRAINING_STATE_", "").toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
