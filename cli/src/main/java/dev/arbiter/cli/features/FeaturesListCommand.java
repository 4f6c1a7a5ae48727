package dev.arbiter.cli.features;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Pages;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.ListSeriesRequest;
import dev.arbiter.proto.v1.ListSeriesResponse;
import picocli.CommandLine.Command;

/** {@code arbiter features list}: the series feature-service holds state for. */
@Command(name = "list", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "List the series feature-service holds.", description = "With their observation counts and last times.")
public class FeaturesListCommand extends CliCommand {

    @Override
    public Integer call() {
        Table t = new Table().left("series").right("observations").left("last");
        Pages.all(token -> features(s -> s.listSeries(ListSeriesRequest.newBuilder().setPageSize(1000)
                        .setPageToken(token).build())), ListSeriesResponse::getNextPageToken,
                r -> r.getSeriesList().forEach(s -> t.row(s.getSeriesId(), Fmt.count(s.getObservationCount()),
                        Fmt.time(s.getLastTsMicros()))));
        t.printOr(out(), "feature-service holds no series yet: feed one with 'arbiter features ingest FILE --series ID'");
        return 0;
    }
}
