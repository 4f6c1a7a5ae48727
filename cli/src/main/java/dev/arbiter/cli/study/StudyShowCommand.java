package dev.arbiter.cli.study;

import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.GetBestTrialsRequest;
import dev.arbiter.proto.v1.GetStudyRequest;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.Trial;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code arbiter study show}: a study's definition, its trial counts, its latest trials and its best. */
@Command(name = "show", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "A study: its objectives, search space, counts, latest trials and best trials.",
        description = "Example: arbiter study show --study demand-tpe --last 10")
public class StudyShowCommand extends StudyTrials {

    @Option(names = "--study", required = true, paramLabel = "NAME", description = "The study.")
    String study;

    @Option(names = "--last", paramLabel = "N", defaultValue = "10", description = "Latest trials to list (default: ${DEFAULT-VALUE}).")
    int last;

    @Override
    public Integer call() {
        Study s = optimizer(o -> o.getStudy(GetStudyRequest.newBuilder().setStudyName(study).build()));
        out().println("study " + s.getStudyName() + (s.getDescription().isEmpty() ? "" : ": " + s.getDescription()));
        out().println("created " + Fmt.moment(s.getCreatedTsMicros()) + "; trials: " + s.getCompleteTrials() + " complete, "
                + s.getPrunedTrials() + " pruned, " + s.getFailedTrials() + " failed, " + s.getRunningTrials() + " running");
        Table space = new Table().left("parameter").left("distribution");
        new java.util.TreeMap<>(s.getSearchSpaceMap()).forEach((k, v) -> space.row(k, v.toString().replace('\n', ' ').trim()));
        space.print(out());
        List<Trial> trials = allTrials(study);
        Table t = new Table().right("trial").left("state").right("value").right("folds");
        for (Trial trial : trials.subList(Math.max(0, trials.size() - last), trials.size())) {
            t.row(trial.getNumber(), trial.getState().name().substring("TRIAL_STATE_".length()).toLowerCase(),
                    trial.getValuesCount() > 0 ? Fmt.num(trial.getValues(0), 4) : "-", trial.getIntermediateValuesCount());
        }
        out().println();
        t.printOr(out(), "(no trials yet)");
        out().println();
        StudyBestCommand.print(s, optimizer(o -> o.getBestTrials(GetBestTrialsRequest.newBuilder().setStudyName(study).build()))
                .getBestTrialsList(), out());
        return 0;
    }
}
