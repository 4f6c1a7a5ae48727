package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.RejectProposalRequest;
import dev.arbiter.proto.v1.RuleProposal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter rules reject ID --reason TEXT}: ends a proposal. */
@Command(name = "reject", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Reject a proposal that is not yet promoted.",
        description = {"Example: arbiter rules reject proposal-12 --reason 'too close to calm_markets'"})
public class RulesRejectCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "PROPOSAL", description = "The proposal id.")
    String proposalId;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; kept in its history.")
    String reason;

    @Option(names = "--author", paramLabel = "WHO", description = "Who rejects it (default: the user name).")
    String author;

    @Override
    public Integer call() {
        RuleProposal p = rules(s -> s.rejectProposal(RejectProposalRequest.newBuilder().setProposalId(proposalId)
                .setReason(reason).setAuthor(author != null ? author : System.getProperty("user.name", "arbiter-cli")).build()));
        out().println(p.getProposalId() + " " + ProposalPrinter.state(p.getState()) + ": " + p.getStateReason());
        return 0;
    }
}
