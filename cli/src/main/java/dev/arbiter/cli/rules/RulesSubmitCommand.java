package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.SubmitProposalRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code arbiter rules submit EXPRESSION --rationale TEXT}: a rule a person proposes. */
@Command(name = "submit", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Propose a rule you wrote; it is validated and stored as a proposal.",
        description = {"The proposal is stored VALIDATED, or VALIDATION_FAILED with the step that failed and why; "
                + "'arbiter rules show ID' shows it later. Exit code 0 when it was validated, 1 when a step failed.",
                "Example: arbiter rules submit --id calm_trend 'features.efficiency_ratio_14 > 0.4 && agreement >= 0.6' "
                        + "--rationale 'false positives cluster in choppy markets'"})
public class RulesSubmitCommand extends CliCommand {

    @Mixin
    RuleOptions rule;

    @Option(names = "--rationale", required = true, paramLabel = "TEXT", description = "Why the rule should help.")
    String rationale;

    @Option(names = "--replaces", paramLabel = "RULE_ID", defaultValue = "",
            description = "The live rule it replaces (default: it is added).")
    String replaces;

    @Option(names = "--author", paramLabel = "WHO", description = "Who proposes it (default: the user name).")
    String author;

    @Override
    public Integer call() {
        RuleProposal p = rules(s -> s.submitProposal(SubmitProposalRequest.newBuilder().setRule(rule.rule())
                .setRationale(rationale).setReplacesRuleId(replaces)
                .setAuthor(author != null ? author : System.getProperty("user.name", "arbiter-cli")).build()));
        ProposalPrinter.proposal(out(), p);
        return p.getValidation().getValid() ? 0 : 1;
    }
}
