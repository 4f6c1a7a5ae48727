package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.RejectProposalRequest;
import dev.arbiter.proto.v1.RuleProposal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code arbiter rules reject ID --reason TEXT}: ends a proposal. */
@Command(name = "reject", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Reject a proposal that is not yet promoted.",
        description = {"Example: arbiter rules reject proposal-12 --reason 'too close to calm_markets'"})
public class RulesRejectCommand extends CliCommand {

    @Mixin
    ProposalChange change;

    @Override
    public Integer call() {
        RuleProposal p = rules(s -> s.rejectProposal(RejectProposalRequest.newBuilder()
                .setProposalId(change.proposalId).setReason(change.reason).setAuthor(change.author()).build()));
        out().println(p.getProposalId() + " " + ProposalPrinter.state(p.getState()) + ": " + p.getStateReason());
        return 0;
    }
}
