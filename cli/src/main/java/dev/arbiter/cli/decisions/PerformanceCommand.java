package dev.arbiter.cli.decisions;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.options.RangeOptions;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.GateStatistics;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.GetPerformanceResponse;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.VariantPerformance;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code arbiter performance}: GetPerformance, a row per variant and its gate statistics. */
@Command(name = "performance", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Rolling performance per variant, with gate statistics.", sortOptions = false,
        description = {"Rolling performance per variant (decision-service): decisions, actions, hit rate, precision, "
                + "false-positive actions, pnl, sharpe, drawdown; then how often each gate blocked and whether rightly.",
                "Example: arbiter performance --variant live --from 2024-03-01"})
public class PerformanceCommand extends CliCommand {

    @Option(names = "--variant", paramLabel = "NAME", description = "Only this variant, repeatable (live = the default policy).")
    List<String> variants = new ArrayList<>();

    @Option(names = "--series", paramLabel = "ID", description = "Only this series.")
    String series;

    @Mixin
    RangeOptions range;

    @Override
    public Integer call() {
        GetPerformanceRequest.Builder request = GetPerformanceRequest.newBuilder().addAllVariantNames(variants);
        if (series != null) {
            request.setSeriesId(series);
        }
        if (range.isSet()) {
            request.setRange(range.toProto());
        }
        GetPerformanceResponse r = decisions(s -> s.getPerformance(request.build()));
        out().println("decisions from " + Fmt.time(r.getRange().getStartTsMicros()) + " to " + Fmt.time(r.getRange().getEndTsMicros()));
        out().println();
        Table t = new Table().left("variant").right("params").right("rules").right("decisions").right("actions")
                .right("outcomes").right("hit rate").right("precision").right("false-pos").right("pnl").right("sharpe")
                .right("max dd").right("pending").right("degraded");
        for (VariantPerformance v : r.getVariantsList()) {
            PerformanceMetrics m = v.getMetrics();
            t.row(v.getVariantName(), "v" + v.getParameterSetVersion(), "v" + v.getRuleSetVersion(), Fmt.count(m.getDecisionCount()),
                    Fmt.count(m.getActionCount()), Fmt.count(m.getOutcomeCount()), Fmt.percent(m.getHitRate()),
                    Fmt.percent(m.getPrecision()), Fmt.count(m.getFalsePositiveActions()), Fmt.signed(m.getPnl(), 4),
                    Fmt.num(m.getSharpe(), 4), Fmt.num(m.getMaxDrawdown(), 4), Fmt.count(v.getPendingOutcomes()),
                    Fmt.count(v.getDegradedDecisions()));
        }
        t.print(out());
        for (VariantPerformance v : r.getVariantsList()) {
            if (v.getGatesCount() == 0) {
                continue;
            }
            out().println();
            out().println("gates of " + v.getVariantName() + " (good block: the blocked action would have lost):");
            Table g = new Table().left("gate").right("evaluated").right("blocked").right("good blocks").right("missed wins");
            for (GateStatistics s : v.getGatesList()) {
                g.row(s.getGateName(), Fmt.count(s.getEvaluations()), Fmt.count(s.getBlocked()),
                        Fmt.count(s.getBlockedWouldLose()), Fmt.count(s.getBlockedWouldWin()));
            }
            g.print(out());
        }
        out().flush();
        return 0;
    }
}
