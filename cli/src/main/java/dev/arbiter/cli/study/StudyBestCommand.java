package dev.arbiter.cli.study;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.GetBestTrialsRequest;
import dev.arbiter.proto.v1.GetStudyRequest;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.Trial;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code arbiter study best}: the best trial, or the Pareto front of a study with several objectives. */
@Command(name = "best", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "The best trial of a study, or its Pareto front (two or more objectives).",
        description = "Example: arbiter study best --study demand-tpe")
public class StudyBestCommand extends CliCommand {

    @Option(names = "--study", required = true, paramLabel = "NAME", description = "The study.")
    String study;

    @Override
    public Integer call() {
        Study s = optimizer(o -> o.getStudy(GetStudyRequest.newBuilder().setStudyName(study).build()));
        List<Trial> best = optimizer(o -> o.getBestTrials(GetBestTrialsRequest.newBuilder().setStudyName(study).build()))
                .getBestTrialsList();
        print(s, best, out());
        return 0;
    }

    /** The best trials as a table: number, each objective, each parameter. */
    static void print(Study s, List<Trial> best, PrintWriter out) {
        out.println((s.getObjectivesCount() > 1 ? "Pareto front of " : "best trial of ") + s.getStudyName() + " ("
                + s.getCompleteTrials() + " complete, " + s.getPrunedTrials() + " pruned, " + s.getFailedTrials() + " failed):");
        Table t = new Table().right("trial");
        s.getObjectivesList().forEach(o -> t.right(o.getName() + (o.getDirectionValue() == 2 ? " (max)" : " (min)")));
        Map<String, ?> names = new TreeMap<>(s.getSearchSpaceMap());
        names.keySet().forEach(t::right);
        for (Trial trial : best) {
            Object[] cells = new Object[1 + s.getObjectivesCount() + names.size()];
            cells[0] = trial.getNumber();
            for (int i = 0; i < s.getObjectivesCount(); i++) {
                cells[1 + i] = objective(trial.getValues(i));
            }
            int k = 1 + s.getObjectivesCount();
            for (String n : names.keySet()) {
                cells[k++] = value(trial.getParamsMap().get(n));
            }
            t.row(cells);
        }
        t.printOr(out, "(no complete trial yet)");
        out.flush();
    }

    /** An objective value: counts (false_positive_actions, action_count) as whole numbers, the rest to 4 places. */
    static String objective(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Fmt.num(v, 4);
    }

    static String value(ParameterValue v) {
        if (v == null) {
            return "-";
        }
        return switch (v.getKindCase()) {
            case DOUBLE_VALUE -> Fmt.num(v.getDoubleValue(), 4);
            case INT_VALUE -> Long.toString(v.getIntValue());
            case STRING_VALUE -> v.getStringValue();
            default -> "-";
        };
    }
}
