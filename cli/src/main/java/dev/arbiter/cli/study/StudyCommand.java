package dev.arbiter.cli.study;

import dev.arbiter.cli.GroupCommand;
import picocli.CommandLine.Command;

/** {@code arbiter study}: TPE studies of the policy parameters over walk-forward backtests (optimizer-service). */
@Command(name = "study", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Tune the policy with TPE studies over walk-forward backtests.",
        description = "Studies live in optimizer-service (shared through PostgreSQL); RunTrials runs their trials there.",
        subcommands = {StudyCreateCommand.class, StudyRunCommand.class, StudyShowCommand.class, StudyBestCommand.class,
                StudyReportCommand.class, StudyPromoteCommand.class})
public class StudyCommand extends GroupCommand {
}
