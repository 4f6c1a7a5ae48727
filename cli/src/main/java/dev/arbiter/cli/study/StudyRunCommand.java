package dev.arbiter.cli.study;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.options.Checks;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.RunTrialsRequest;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialState;
import java.util.Iterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code arbiter study run}: RunTrials with a progress bar that counts completed, pruned and failed trials. */
@Command(name = "run", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Run a study's trials in optimizer-service, with progress; then its best trials.", sortOptions = false,
        description = {"Each trial is the study's walk-forward backtest with the trial's parameters, fold by fold; the "
                + "pruner may stop it after a fold. Interrupting stops asking for more trials.",
                "Example: arbiter study run --study demand-tpe --trials 200 --parallelism 2"})
public class StudyRunCommand extends CliCommand {

    @Option(names = "--study", required = true, paramLabel = "NAME", description = "The study.")
    String study;

    @Option(names = "--trials", required = true, paramLabel = "N", description = "Trials to run.")
    int trials;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "1",
            description = "Trials run at once by the service (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--stop-after", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop starting trials after this long (default: no limit).")
    long timeout;

    @Override
    public Integer call() {
        Checks.positive("--trials", trials);
        Checks.positive("--parallelism", parallelism);
        Checks.notNegative("--stop-after", timeout);
        RunTrialsRequest request = RunTrialsRequest.newBuilder().setStudyName(study).setNTrials(trials)
                .setParallelism(parallelism).setTimeoutMs(timeout * 1000).build();
        Progress progress = progress("study");
        int[] counts = new int[TrialState.values().length];
        try {
            services().call(Service.OPTIMIZER, () -> {
                Iterator<Trial> it = services().streaming(Service.OPTIMIZER, OptimizerServiceGrpc::newBlockingStub).runTrials(request);
                int done = 0;
                while (it.hasNext()) {
                    Trial t = it.next();
                    counts[t.getStateValue()]++;
                    done++;
                    progress.update((double) done / trials, line(t, counts));
                }
                return null;
            });
        } catch (RuntimeException e) {
            progress.abandon();
            throw e;
        }
        progress.finish(summary(counts));
        StudyBestCommand.print(optimizer(s -> s.getStudy(dev.arbiter.proto.v1.GetStudyRequest.newBuilder().setStudyName(study).build())),
                optimizer(s -> s.getBestTrials(dev.arbiter.proto.v1.GetBestTrialsRequest.newBuilder().setStudyName(study).build()))
                        .getBestTrialsList(), out());
        out().println();
        out().println("report: arbiter study report --study " + study + " --out " + study + ".html");
        out().flush();
        return 0;
    }

    static String line(Trial t, int[] counts) {
        String what = switch (t.getState()) {
            case TRIAL_STATE_COMPLETE -> "trial " + t.getNumber() + " = " + StudyBestCommand.objective(t.getValues(0));
            case TRIAL_STATE_PRUNED -> "trial " + t.getNumber() + " pruned after fold " + t.getIntermediateValuesCount();
            default -> "trial " + t.getNumber() + " failed";
        };
        return what + "; " + summary(counts);
    }

    static String summary(int[] counts) {
        return counts[TrialState.TRIAL_STATE_COMPLETE_VALUE] + " complete, " + counts[TrialState.TRIAL_STATE_PRUNED_VALUE]
                + " pruned, " + counts[TrialState.TRIAL_STATE_FAIL_VALUE] + " failed";
    }
}
