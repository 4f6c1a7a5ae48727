package dev.arbiter.cli.rules;

import dev.arbiter.cli.GroupCommand;
import picocli.CommandLine.Command;

/** {@code arbiter rules}: rule-service. */
@Command(name = "rules", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Propose and validate CEL decision rules; list, show and reject proposals; the LLM's status.",
        description = {"rule-service checks every proposed rule (parse, look-ahead, type check, cost, complexity, "
                + "near-duplicates) and keeps proposals with each step's result and their history.",
                "Still to come: shadow, promote, rollback."},
        subcommands = {RulesProposeCommand.class, RulesValidateCommand.class, RulesSubmitCommand.class,
                RulesListCommand.class, RulesShowCommand.class, RulesRejectCommand.class, RulesLlmStatusCommand.class})
public class RulesCommand extends GroupCommand {
}
