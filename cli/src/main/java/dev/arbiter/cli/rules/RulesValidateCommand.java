package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.RuleValidation;
import dev.arbiter.proto.v1.ValidateRuleRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code arbiter rules validate EXPRESSION}: every validation step, nothing stored. */
@Command(name = "validate", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Run every validation step on a rule without storing it.",
        description = {"Prints each step (parse, look-ahead, type check, cost, complexity, near-duplicate of a live rule) "
                + "with what it measured. Exit code 0 when the rule passes every step, 1 when one fails.",
                "Example: arbiter rules validate 'agreement >= 0.6 && features.efficiency_ratio_14 > 0.3'"})
public class RulesValidateCommand extends CliCommand {

    @Mixin
    RuleOptions rule;

    @Override
    public Integer call() {
        RuleValidation v = rules(s -> s.validateRule(ValidateRuleRequest.newBuilder().setRule(rule.rule()).build()));
        ProposalPrinter.validation(out(), v);
        return v.getValid() ? 0 : 1;
    }
}
