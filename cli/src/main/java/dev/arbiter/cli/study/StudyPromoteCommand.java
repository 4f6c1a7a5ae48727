package dev.arbiter.cli.study;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.GetBestTrialsRequest;
import dev.arbiter.proto.v1.PromoteParametersRequest;
import dev.arbiter.proto.v1.PromoteParametersResponse;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialRef;
import java.util.List;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arbiter study promote}: moves decision-service's live policy parameters toward a trial's, one smoothing step
 * (optimizer-service's PromoteParameters), or step after step in the background with the performance guard.
 */
@Command(name = "promote", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Promote a trial's parameters gradually into decision-service's live policy.", sortOptions = false,
        description = {"Each step moves every parameter a share (--alpha) of the way toward the trial's value and is a new "
                + "parameter-set version authored by optimizer-service. With --until-reached, optimizer-service keeps "
                + "stepping and rolls back if live performance falls below its guard.",
                "Example: arbiter study promote --study demand-tpe --trial 12 --alpha 0.3 --until-reached --reason 'tuned on 2024'"})
public class StudyPromoteCommand extends CliCommand {

    @Option(names = "--study", required = true, paramLabel = "NAME", description = "The study.")
    String study;

    @Option(names = "--trial", paramLabel = "N", defaultValue = "-1",
            description = "The trial to promote (default: the study's best; a study with several objectives needs one).")
    int trial;

    @Option(names = "--alpha", paramLabel = "SHARE", defaultValue = "0",
            description = "Share of the gap each step moves, in (0, 1] (default: the service's).")
    double alpha;

    @Option(names = "--until-reached", description = "Keep stepping in the background until reached, with the guard.")
    boolean untilReached;

    @Option(names = "--dry-run", description = "Show the step without changing decision-service.")
    boolean dryRun;

    @Option(names = "--author", paramLabel = "WHO", description = "Who promotes (default: the user name).")
    String author;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why.")
    String reason;

    @Option(names = "--expected-version", paramLabel = "N", defaultValue = "0",
            description = "Refuse unless decision-service's live parameter set is still this version.")
    int expectedVersion;

    int trialNumber() {
        if (trial >= 0) {
            return trial;
        }
        List<Trial> best = optimizer(o -> o.getBestTrials(GetBestTrialsRequest.newBuilder().setStudyName(study).build()))
                .getBestTrialsList();
        if (best.isEmpty()) {
            throw new UsageError("study " + study + " has no complete trial yet; run it first (arbiter study run)");
        }
        if (best.size() > 1) {
            throw new UsageError("study " + study + " has a Pareto front of " + best.size() + " trials; choose one with --trial"
                    + " (arbiter study best lists them)");
        }
        return best.get(0).getNumber();
    }

    @Override
    public Integer call() {
        int number = trialNumber();
        PromoteParametersRequest request = PromoteParametersRequest.newBuilder()
                .setTrial(TrialRef.newBuilder().setStudyName(study).setTrialNumber(number))
                .setSmoothingFactor(alpha)
                .setAuthor(author != null ? author : System.getProperty("user.name", "arbiter-cli"))
                .setReason(reason)
                .setExpectedLiveVersion(expectedVersion)
                .setDryRun(dryRun)
                .setContinueUntilReached(untilReached)
                .build();
        PromoteParametersResponse r = optimizer(o -> o.promoteParameters(request));
        out().println((dryRun ? "dry run: " : "") + "trial " + number + " of " + study + ": parameter set "
                + r.getPreviousParameterSetVersion() + (dryRun ? "" : " -> " + r.getParameterSetVersion())
                + (r.getReached() ? ", target reached" : String.format(java.util.Locale.ROOT, ", remaining gap %.1f%%",
                        100 * r.getRemainingGap())));
        Table t = new Table().left("parameter").right("applied").right("target");
        new TreeMap<>(r.getAppliedMap()).forEach((k, v) -> t.row(k, StudyBestCommand.value(v),
                StudyBestCommand.value(r.getTargetMap().get(k))));
        t.print(out());
        if (r.getContinuing()) {
            out().println("optimizer-service keeps stepping in the background; " + r.getGuard());
        }
        out().flush();
        return 0;
    }
}
