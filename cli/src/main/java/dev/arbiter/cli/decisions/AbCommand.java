package dev.arbiter.cli.decisions;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.AbArm;
import dev.arbiter.proto.v1.AbDifference;
import dev.arbiter.proto.v1.AbReadout;
import dev.arbiter.proto.v1.GetAbReadoutRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter ab VARIANT}: GetAbReadout, the two arms, the differences with their always-valid intervals, the verdict. */
@Command(name = "ab", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "The A/B readout of a variant against the live policy (or another variant).", sortOptions = false,
        description = {"The A/B readout (decision-service): per arm its series, blocks (series x day with outcomes), pnl per"
                + " block, false-positive rate, hit rate and drawdown; B - A with always-valid intervals (safe to look at any"
                + " time), the sample-ratio check, the guardrails and the verdict of the rule fixed up front.",
                "Example: arbiter ab challenger --control live"})
public class AbCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "VARIANT", description = "The variant to read (B).")
    String variant;

    @Option(names = "--control", paramLabel = "NAME", description = "The control (A); default live, the live policy.")
    String control = "";

    @Override
    public Integer call() {
        AbReadout r = decisions(s -> s.getAbReadout(GetAbReadoutRequest.newBuilder().setVariantName(variant).setControlName(control).build()));
        out().println("A/B since " + Fmt.time(r.getSinceTsMicros()) + ", alpha " + r.getAlpha() + " over all looks");
        out().println();
        Table arms = new Table().left("arm").left("variant").right("share").right("series").right("blocks").right("pnl/block")
                .right("false-pos").right("hit rate").right("max dd");
        arm(arms, "A", r.getControl());
        arm(arms, "B", r.getTreatment());
        arms.print(out());
        out().println();
        Table diff = new Table().left("B - A").right("estimate").right("interval");
        difference(diff, "pnl per block", r.getPnlPerBlock(), 6);
        difference(diff, "false-positive rate", r.getFalsePositiveRate(), 4);
        difference(diff, "hit rate", r.getHitRate(), 4);
        diff.print(out());
        out().println();
        out().println("sample ratio: p = " + Fmt.num(r.getSrmPValue(), 4) + "; guardrails: false positives "
                + (r.getFalsePositiveGuardrail() ? "BREACHED" : "ok") + ", drawdown " + (r.getDrawdownGuardrail() ? "BREACHED" : "ok"));
        out().println("verdict: " + r.getVerdict().name().replace("AB_VERDICT_", ""));
        out().println("rule: " + r.getRule());
        out().flush();
        return 0;
    }

    private static void arm(Table t, String label, AbArm a) {
        t.row(label, a.getName(), Fmt.percent(a.getShare()), Fmt.count(a.getSeries()), Fmt.count(a.getBlocks()),
                Fmt.signed(a.getPnlPerBlock(), 6), Fmt.percent(a.getFalsePositiveRate()), Fmt.percent(a.getHitRate()),
                Fmt.num(a.getMaxDrawdown(), 4));
    }

    private static void difference(Table t, String metric, AbDifference d, int digits) {
        String interval = Double.isInfinite(d.getLower()) || Double.isInfinite(d.getUpper()) ? "(too few blocks)"
                : "[" + Fmt.signed(d.getLower(), digits) + ", " + Fmt.signed(d.getUpper(), digits) + "]";
        t.row(metric, Fmt.signed(d.getEstimate(), digits), interval);
    }
}
