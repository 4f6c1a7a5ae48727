package dev.arbiter.cli.rules;

import dev.arbiter.cli.GroupCommand;
import picocli.CommandLine.Command;

/** {@code arbiter rules}: rule-service. */
@Command(name = "rules", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Validate CEL decision rules, propose them, list, show and reject proposals.",
        description = {"rule-service checks every proposed rule (parse, look-ahead, type check, cost, complexity, "
                + "near-duplicates) and keeps proposals with each step's result and their history.",
                "Still to come: propose (LLM or offline search), shadow, promote, rollback, llm-status."},
        subcommands = {RulesValidateCommand.class, RulesSubmitCommand.class, RulesListCommand.class, RulesShowCommand.class,
                RulesRejectCommand.class})
public class RulesCommand extends GroupCommand {
}
