package dev.arbiter.cli.models;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.ModelVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter models activate MODEL VERSION}. */
@Command(name = "activate", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Make a model version ACTIVE.",
        description = {"Make a STAGED or SHADOW model version ACTIVE: model-service loads and warms it up first, and its "
                + "predictions count in the ensembles it belongs to.", "Example: arbiter models activate gbt-demand 1"})
public class ModelsActivateCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model.")
    String model;

    @Parameters(index = "1", paramLabel = "VERSION", description = "The version number (v1 or 1).")
    String version;

    @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "activated with the arbiter CLI",
            description = "Why; recorded on the version.")
    String reason;

    @Override
    public Integer call() {
        int v = Versions.parse("VERSION", version);
        ModelVersion result = models(s -> s.activateModelVersion(ActivateModelVersionRequest.newBuilder()
                .setModelName(model).setVersion(v).setReason(reason).build()));
        out().println(result.getModelName() + " v" + result.getVersion() + " is " + ModelsListCommand.status(result.getStatus()));
        out().flush();
        return 0;
    }
}
