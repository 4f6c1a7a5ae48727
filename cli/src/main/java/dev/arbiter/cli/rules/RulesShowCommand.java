package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.GetProposalRequest;
import dev.arbiter.proto.v1.RuleProposal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code arbiter rules show ID}: one proposal, its validation steps and history. */
@Command(name = "show", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Show one proposal: the rule, its validation steps and its history.",
        description = {"Example: arbiter rules show proposal-12"})
public class RulesShowCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "PROPOSAL", description = "The proposal id, as 'arbiter rules list' shows it.")
    String proposalId;

    @Override
    public Integer call() {
        RuleProposal p = rules(s -> s.getProposal(GetProposalRequest.newBuilder().setProposalId(proposalId).build()));
        ProposalPrinter.proposal(out(), p);
        return 0;
    }
}
