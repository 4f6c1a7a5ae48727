package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.PromoteProposalRequest;
import dev.arbiter.proto.v1.RuleProposal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code arbiter rules promote ID --reason TEXT}: a new live rule set version with the proposal. */
@Command(name = "promote", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Promote a proposal whose shadow run completed better into the live rules.",
        description = {"Example: arbiter rules promote proposal-12 --reason 'fewer losing actions in shadow'"})
public class RulesPromoteCommand extends CliCommand {

    @Mixin
    ProposalChange change;

    @Option(names = "--skip-shadow", description = "Promote a backtested proposal without a shadow run (only where the service allows it).")
    boolean skipShadow;

    @Override
    public Integer call() {
        RuleProposal p = rules(s -> s.promoteProposal(PromoteProposalRequest.newBuilder()
                .setProposalId(change.proposalId).setReason(change.reason).setAuthor(change.author()).setSkipShadow(skipShadow).build()));
        out().println(p.getProposalId() + " " + ProposalPrinter.state(p.getState()) + ": " + p.getStateReason());
        return 0;
    }
}
