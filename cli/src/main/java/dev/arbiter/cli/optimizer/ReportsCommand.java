package dev.arbiter.cli.optimizer;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.ServiceError;
import dev.arbiter.cli.options.Checks;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.GetBacktestReportRequest;
import dev.arbiter.proto.v1.GetStressReportRequest;
import dev.arbiter.proto.v1.ListReportsRequest;
import dev.arbiter.proto.v1.ListReportsResponse;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.ReportKind;
import dev.arbiter.proto.v1.ReportSummary;
import io.grpc.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter reports}: the stored backtest and stress reports, newest first, or one of them in full. */
@Command(name = "reports", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "List stored backtest and stress reports, or print one.", sortOptions = false,
        description = {"List the stored backtest and stress reports, newest first (optimizer-service); with an ID, print "
                + "that report in full.", "Example: arbiter reports --kind backtest --limit 5"})
public class ReportsCommand extends CliCommand {

    /** Which reports to list. */
    public enum Kind {
        ALL(ReportKind.REPORT_KIND_UNSPECIFIED), BACKTEST(ReportKind.REPORT_KIND_BACKTEST), STRESS(ReportKind.REPORT_KIND_STRESS);

        final ReportKind proto;

        Kind(ReportKind proto) {
            this.proto = proto;
        }

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "A report to print in full.")
    String id;

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "all",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Kind kind;

    @Option(names = "--study", paramLabel = "NAME", description = "Only reports of this study's trials.")
    String study;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (id != null) {
            show();
            return 0;
        }
        Checks.positive("--limit", limit);
        Table t = new Table().left("report").left("kind").left("created").left("name").right("decisions").right("actions")
                .right("precision").right("pnl").right("sharpe").right("max dd").left("of backtest");
        String token = "";
        int shown = 0;
        do {
            ListReportsRequest.Builder request = ListReportsRequest.newBuilder().setKind(kind.proto)
                    .setPageSize(Math.min(limit - shown, 500)).setPageToken(token);
            if (study != null) {
                request.setStudyName(study);
            }
            ListReportsResponse r = optimizer(s -> s.listReports(request.build()));
            for (ReportSummary s : r.getReportsList()) {
                if (shown == limit) {
                    break;
                }
                shown++;
                PerformanceMetrics m = s.getTotal();
                t.row(s.getReportId(), s.getKind() == ReportKind.REPORT_KIND_STRESS ? "stress" : "backtest",
                        Fmt.moment(s.getCreatedTsMicros()), s.getName(), Fmt.count(m.getDecisionCount()),
                        Fmt.count(m.getActionCount()), Fmt.percent(m.getPrecision()), Fmt.signed(m.getPnl(), 4),
                        Fmt.num(m.getSharpe(), 4), Fmt.num(m.getMaxDrawdown(), 4),
                        s.getBacktestReportId().isEmpty() ? "-" : s.getBacktestReportId());
            }
            token = r.getNextPageToken();
        } while (!token.isEmpty() && shown < limit);
        t.printOr(out(), "no reports yet: run 'arbiter backtest ...' first");
        return 0;
    }

    /** A backtest report, or else a stress report, by id. */
    private void show() {
        try {
            ReportPrinter.backtest(optimizer(s -> s.getBacktestReport(GetBacktestReportRequest.newBuilder()
                    .setReportId(id).build())), out());
        } catch (ServiceError e) {
            if (e.status.getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
            ReportPrinter.stress(optimizer(s -> s.getStressReport(GetStressReportRequest.newBuilder()
                    .setReportId(id).build())), out());
        }
    }
}
