package dev.arbiter.cli.models;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.Pages;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.ListModelVersionsRequest;
import dev.arbiter.proto.v1.ListModelVersionsResponse;
import dev.arbiter.proto.v1.ListModelsRequest;
import dev.arbiter.proto.v1.ListModelsResponse;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionStatus;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code arbiter models list [MODEL]}: the models, or one model's versions. */
@Command(name = "list", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "List the models, or one model's versions.",
        description = {"List the registered models; with a model name, list its versions (status, format, metrics).",
                "Example: arbiter models list gbt-demand"})
public class ModelsListCommand extends CliCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "A model whose versions to list.")
    String model;

    @Override
    public Integer call() {
        Table t = model == null ? models() : versions();
        t.printOr(out(), model == null ? "no models yet: train one ('arbiter train') or upload one ('arbiter models upload')"
                : model + " has no versions");
        return 0;
    }

    private Table models() {
        Table t = new Table().left("model").right("latest").left("active").left("shadow").right("versions")
                .left("created").left("description");
        Pages.all(token -> models(s -> s.listModels(ListModelsRequest.newBuilder().setPageSize(500)
                        .setPageToken(token).build())), ListModelsResponse::getNextPageToken,
                r -> r.getModelsList().forEach(m -> t.row(m.getName(), "v" + m.getLatestVersion(),
                        versions(m.getActiveVersionsList()), versions(m.getShadowVersionsList()), m.getVersionCount(),
                        Fmt.moment(m.getCreatedTsMicros()), m.getDescription())));
        return t;
    }

    private Table versions() {
        Table t = new Table().right("version").left("status").left("format").right("inputs").right("brier").right("ece")
                .right("auc").left("created").left("description");
        Pages.all(token -> models(s -> s.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(model)
                        .setPageSize(500).setPageToken(token).build())), ListModelVersionsResponse::getNextPageToken,
                r -> r.getVersionsList().forEach(v -> t.row("v" + v.getVersion(), status(v.getStatus()),
                        v.getFormat().name().replace("MODEL_FORMAT_", "").toLowerCase(Locale.ROOT), v.getInputFeatureNamesCount(),
                        metric(v, "brier_score"), metric(v, "ece"), metric(v, "roc_auc"), Fmt.moment(v.getCreatedTsMicros()),
                        v.getDescription())));
        return t;
    }

    static String status(ModelVersionStatus s) {
        return s.name().replace("MODEL_VERSION_STATUS_", "");
    }

    private static String metric(ModelVersion v, String name) {
        return v.containsMetrics(name) ? Fmt.num(v.getMetricsOrThrow(name), 4) : "-";
    }

    private static String versions(List<Integer> v) {
        return v.isEmpty() ? "-" : v.stream().map(i -> "v" + i).collect(Collectors.joining(","));
    }
}
