package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.RollbackProposalRequest;
import dev.arbiter.proto.v1.RuleProposal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code arbiter rules rollback ID --reason TEXT}: the rules before the promotion, as a new version. */
@Command(name = "rollback", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Roll a promoted proposal back: the live rules return to the version before it.",
        description = {"Example: arbiter rules rollback proposal-12 --reason 'more false positives since'"})
public class RulesRollbackCommand extends CliCommand {

    @Mixin
    ProposalChange change;

    @Override
    public Integer call() {
        RuleProposal p = rules(s -> s.rollbackProposal(RollbackProposalRequest.newBuilder()
                .setProposalId(change.proposalId).setReason(change.reason).setAuthor(change.author()).build()));
        out().println(p.getProposalId() + " " + ProposalPrinter.state(p.getState()) + ": " + p.getStateReason());
        return 0;
    }
}
