package dev.arbiter.cli.features;

import dev.arbiter.cli.GroupCommand;
import picocli.CommandLine.Command;

/** {@code arbiter features}: feature-service. */
@Command(name = "features", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Ingest observations into rolling features; list the series held.",
        description = "feature-service keeps rolling features per series, snapshotted to Redis.",
        subcommands = {FeaturesIngestCommand.class, FeaturesListCommand.class})
public class FeaturesCommand extends GroupCommand {
}
