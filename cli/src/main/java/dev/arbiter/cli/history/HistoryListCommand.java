package dev.arbiter.cli.history;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Pages;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.ListHistoryRequest;
import dev.arbiter.proto.v1.ListHistoryResponse;
import picocli.CommandLine.Command;

/** {@code arbiter history list}: every series with stored history, all pages. */
@Command(name = "list", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "List the series with stored history.",
        description = "Rows, time range, size and last import of each (optimizer-service).")
public class HistoryListCommand extends CliCommand {

    @Override
    public Integer call() {
        Table t = new Table().left("series").right("rows").left("from").left("to").right("size").left("updated");
        Pages.all(token -> optimizer(s -> s.listHistory(ListHistoryRequest.newBuilder().setPageSize(500)
                        .setPageToken(token).build())), ListHistoryResponse::getNextPageToken,
                r -> r.getSeriesList().forEach(s -> t.row(s.getSeriesId(), Fmt.count(s.getRowCount()),
                        Fmt.time(s.getRange().getStartTsMicros()), Fmt.time(s.getRange().getEndTsMicros() - 1),
                        Fmt.bytes(s.getSizeBytes()), Fmt.moment(s.getUpdatedTsMicros()))));
        t.printOr(out(), "no series has history yet: import one with 'arbiter history import FILE --series ID'");
        return 0;
    }
}
