package dev.arbiter.cli.models;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.DriftTestResult;
import dev.arbiter.proto.v1.GetDriftStatusRequest;
import dev.arbiter.proto.v1.GetDriftStatusResponse;
import dev.arbiter.proto.v1.ModelDriftStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter models drift}: GetDriftStatus, a line per model version and its drifted quantities. */
@Command(name = "drift", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Show input and score drift of the served model versions.",
        description = {"Show input and score drift of the ACTIVE and SHADOW model versions: the recent window of "
                + "predictions against the reference window (Kolmogorov-Smirnov and Mann-Whitney U).",
                "Example: arbiter models drift gbt-demand 2 --all"})
public class DriftCommand extends CliCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "One model (default: all).")
    String model;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "One version of it (default: all ACTIVE and SHADOW).")
    String version;

    @Option(names = "--all", description = "Show every feature's tests, not only those that drifted.")
    boolean all;

    @Override
    public Integer call() {
        GetDriftStatusRequest.Builder request = GetDriftStatusRequest.newBuilder()
                .setVersion(version == null ? 0 : Versions.parse("VERSION", version));
        if (model != null) {
            request.setModelName(model);
        }
        GetDriftStatusResponse r = models(s -> s.getDriftStatus(request.build()));
        if (r.getModelsCount() == 0) {
            out().println("no ACTIVE or SHADOW model version" + (model == null ? "" : " of " + model) + " to watch");
        }
        for (ModelDriftStatus m : r.getModelsList()) {
            out().println(m.getModelName() + " v" + m.getVersion() + ": "
                    + (!m.getEnoughData() ? "not enough predictions yet (reference " + m.getReferenceSampleCount()
                            + ", recent " + m.getCurrentSampleCount() + ")"
                            : (m.getDrifted() ? "DRIFTED" : "no drift") + " at p < " + m.getPValueThreshold()
                                    + " (reference " + m.getReferenceSampleCount() + " predictions "
                                    + Fmt.time(m.getReferenceRange().getStartTsMicros()) + " .., recent "
                                    + m.getCurrentSampleCount() + " from " + Fmt.time(m.getCurrentRange().getStartTsMicros()) + ")"));
            Table t = new Table().left("  quantity").right("ks D").right("ks p").right("mw p").left("drifted");
            if (m.hasScore() && (all || m.getScore().getDrifted())) {
                row(t, m.getScore());
            }
            for (DriftTestResult f : m.getFeaturesList()) {
                if (all || f.getDrifted()) {
                    row(t, f);
                }
            }
            if (!t.isEmpty()) {
                t.print(out());
            }
        }
        out().flush();
        return 0;
    }

    private static void row(Table t, DriftTestResult d) {
        t.row("  " + d.getName(), Fmt.num(d.getKsStatistic(), 3), Fmt.num(d.getKsPValue(), 4),
                Fmt.num(d.getMannWhitneyPValue(), 4), d.getDrifted() ? "yes" : "no");
    }
}
