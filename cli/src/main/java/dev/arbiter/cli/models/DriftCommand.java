package dev.arbiter.cli.models;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.DriftSeverity;
import dev.arbiter.proto.v1.DriftTestResult;
import dev.arbiter.proto.v1.GetDriftStatusRequest;
import dev.arbiter.proto.v1.GetDriftStatusResponse;
import dev.arbiter.proto.v1.ModelDriftStatus;
import dev.arbiter.proto.v1.ResetDriftReferenceRequest;
import dev.arbiter.proto.v1.ResetDriftReferenceResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter models drift}: GetDriftStatus, a line per model version and its drifted quantities. */
@Command(name = "drift", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Show input and score drift of the served model versions.",
        description = {"Show input and score drift of the ACTIVE and SHADOW model versions: the recent window of "
                + "predictions against the shared reference window (Kolmogorov-Smirnov and Mann-Whitney U at effective "
                + "sample sizes, Benjamini-Hochberg across quantities, PSI as the size). Price-level and calendar "
                + "features are not tested.",
                "--reset MODEL VERSION empties the version's reference on every replica: the next predictions form a "
                + "new one (after a change you accept). Activation does the same.",
                "Example: arbiter models drift gbt-demand 2 --all"})
public class DriftCommand extends CliCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "One model (default: all).")
    String model;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "One version of it (default: all ACTIVE and SHADOW).")
    String version;

    @Option(names = "--all", description = "Show every feature's tests, not only those that drifted.")
    boolean all;

    @Option(names = "--reset", description = "Empty the reference of MODEL VERSION (both required); admin role.")
    boolean reset;

    @Override
    public Integer call() {
        if (reset) {
            if (model == null || version == null) {
                throw new UsageError("--reset needs MODEL and VERSION, e.g. arbiter models drift --reset gbt-demand 2");
            }
            ResetDriftReferenceResponse r = models(s -> s.resetDriftReference(ResetDriftReferenceRequest.newBuilder()
                    .setModelName(model).setVersion(Versions.parse("VERSION", version)).build()));
            out().println(model + " v" + version + ": drift reference reset (generation " + r.getReferenceGeneration()
                    + "); the next predictions form the new one");
            out().flush();
            return 0;
        }
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
                            : (m.getDrifted() ? "DRIFTED (" + severity(m.getSeverity()) + ")" : "no drift")
                                    + " at false discovery rate " + m.getPValueThreshold()
                                    + " (reference " + m.getReferenceSampleCount() + " predictions, "
                                    + m.getReferenceReason() + ", "
                                    + Fmt.time(m.getReferenceRange().getStartTsMicros()) + " .., recent "
                                    + m.getCurrentSampleCount() + " from " + Fmt.time(m.getCurrentRange().getStartTsMicros()) + ")"));
            Table t = new Table().left("  quantity").right("q").right("PSI").right("ks p").right("mw p")
                    .right("n eff").left("drifted");
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
        if (!d.getTested()) {
            t.row("  " + d.getName(), "", "", "", "", "", "not tested");
            return;
        }
        t.row("  " + d.getName(), Fmt.num(d.getQValue(), 4), Fmt.num(d.getPsi(), 3), Fmt.num(d.getKsPValue(), 4),
                Fmt.num(d.getMannWhitneyPValue(), 4),
                Fmt.num(d.getReferenceEffectiveSize(), 0) + "/" + Fmt.num(d.getCurrentEffectiveSize(), 0),
                d.getDrifted() ? "yes, " + severity(d.getSeverity()) : "no");
    }

    private static String severity(DriftSeverity s) {
        return switch (s) {
            case DRIFT_SEVERITY_SIGNIFICANT -> "significant";
            case DRIFT_SEVERITY_MODERATE -> "moderate";
            default -> "small";
        };
    }
}
