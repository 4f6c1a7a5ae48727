package dev.arbiter.cli.models;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Pages;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.ListEnsemblesRequest;
import dev.arbiter.proto.v1.ListEnsemblesResponse;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/** {@code arbiter models ensembles}: the defined ensembles and their members. */
@Command(name = "ensembles", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "List the ensembles and their members.", description = "From model-service, by name.")
public class EnsemblesCommand extends CliCommand {

    @Override
    public Integer call() {
        Table t = new Table().left("ensemble").right("revision").left("members").left("updated").left("description");
        Pages.all(token -> models(s -> s.listEnsembles(ListEnsemblesRequest.newBuilder().setPageSize(500)
                        .setPageToken(token).build())), ListEnsemblesResponse::getNextPageToken,
                r -> r.getEnsemblesList().forEach(e -> t.row(e.getName(), e.getRevision(), members(e),
                        Fmt.moment(e.getUpdatedTsMicros()), e.getDescription())));
        t.printOr(out(), "no ensembles yet: define one with 'arbiter models define-ensemble NAME --member MODEL:VERSION ...'");
        return 0;
    }

    private static String members(EnsembleDefinition e) {
        return e.getMembersList().stream().map(m -> m.getModelName() + ":" + m.getVersion()).collect(Collectors.joining(","));
    }
}
