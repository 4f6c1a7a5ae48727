package dev.arbiter.cli.optimizer;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.ListRetrainingsRequest;
import dev.arbiter.proto.v1.ListRetrainingsResponse;
import dev.arbiter.proto.v1.Retraining;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code arbiter retrainings}: ListRetrainings, newest first, with each ramp's steps (the audit trail). */
@Command(name = "retrainings", mixinStandardHelpOptions = true, abbreviateSynopsis = true, sortOptions = false,
        header = "List retrainings (manual, scheduled, on drift) with their ramp steps.",
        description = {"List retrainings newest first: what started each, the champion and the challenger, where it is, and "
                + "with --steps every step of its ramp (the weights read, the cap set, the ensemble revision).",
                "Example: arbiter retrainings --model gbt-demand --steps"})
public class RetrainingsCommand extends CliCommand {

    @Option(names = "--model", paramLabel = "MODEL", description = "Only this model's retrainings.")
    String model;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "At most N (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--steps", description = "Also print every ramp step.")
    boolean steps;

    @Override
    public Integer call() {
        ListRetrainingsResponse page = optimizer(o -> o.listRetrainings(ListRetrainingsRequest.newBuilder()
                .setModelName(model == null ? "" : model).setPageSize(Math.max(1, limit)).build()));
        print(page.getRetrainingsList(), steps, out());
        return 0;
    }

    static void print(List<Retraining> retrainings, boolean steps, PrintWriter out) {
        if (retrainings.isEmpty()) {
            out.println("no retrainings");
            out.flush();
            return;
        }
        Table t = new Table().right("id").left("model").left("ensemble").left("trigger").left("state").right("champion")
                .right("challenger").right("steps").left("started");
        for (Retraining r : retrainings) {
            t.row(Long.toString(r.getRetrainingId()), r.getModelName(), r.getEnsembleName(),
                    r.getTrigger().name().replace("RETRAINING_TRIGGER_", "").toLowerCase(Locale.ROOT),
                    RetrainCommand.state(r.getState()), "v" + r.getChampion().getVersion(),
                    r.hasChallenger() ? "v" + r.getChallenger().getVersion() : "-", Integer.toString(r.getStepsCount()),
                    Fmt.moment(r.getCreatedTsMicros()));
        }
        t.print(out);
        if (steps) {
            for (Retraining r : retrainings) {
                out.println();
                RetrainCommand.print(r, out);
            }
        }
        out.flush();
    }
}
