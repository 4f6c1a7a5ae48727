package dev.arbiter.cli.models;

import dev.arbiter.cli.GroupCommand;
import picocli.CommandLine.Command;

/** {@code arbiter models}: the model registry, ensembles and drift in model-service. */
@Command(name = "models", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Upload, list and activate models; define ensembles; show drift.",
        description = "The model registry, ensembles and drift detection of model-service.",
        subcommands = {ModelsUploadCommand.class, ModelsListCommand.class, ModelsActivateCommand.class,
                DefineEnsembleCommand.class, EnsemblesCommand.class, DriftCommand.class})
public class ModelsCommand extends GroupCommand {
}
