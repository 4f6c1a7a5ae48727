package dev.arbiter.cli.rules;

import dev.arbiter.cli.GroupCommand;
import picocli.CommandLine.Command;

/** {@code arbiter rules}: rule-service. */
@Command(name = "rules", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Propose and validate CEL decision rules; shadow, promote, reject and roll back proposals; the LLM's status.",
        description = {"rule-service checks every proposed rule (parse, look-ahead, type check, cost, complexity, "
                + "near-duplicates), backtests it against the live rules, runs it in shadow beside them in decision-service, "
                + "and promotes or rolls it back; every proposal keeps each step's result and its history."},
        subcommands = {RulesProposeCommand.class, RulesValidateCommand.class, RulesSubmitCommand.class,
                RulesListCommand.class, RulesShowCommand.class, RulesShadowCommand.class, RulesPromoteCommand.class,
                RulesRejectCommand.class, RulesRollbackCommand.class, RulesLlmStatusCommand.class})
public class RulesCommand extends GroupCommand {
}
