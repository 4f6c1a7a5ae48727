package dev.arbiter.cli.history;

import dev.arbiter.cli.GroupCommand;
import picocli.CommandLine.Command;

/** {@code arbiter history}: historical series in optimizer-service. */
@Command(name = "history", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Import and list historical series.",
        description = "Historical series live in optimizer-service, one Parquet file per series.",
        subcommands = {HistoryImportCommand.class, HistoryListCommand.class})
public class HistoryCommand extends GroupCommand {
}
