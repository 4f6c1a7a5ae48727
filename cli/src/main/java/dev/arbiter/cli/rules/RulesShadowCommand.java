package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.StartShadowRequest;
import dev.arbiter.proto.v1.RuleProposal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter rules shadow ID}: decision-service decides with the proposal beside the live rules. */
@Command(name = "shadow", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Start the shadow run of a backtested proposal.",
        description = {"decision-service decides every live decision with the proposal too, without acting on it; "
                + "'arbiter rules show' follows the comparison as outcomes settle.",
                "Example: arbiter rules shadow proposal-12 --min-decisions 500"})
public class RulesShadowCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "PROPOSAL", description = "The proposal id.")
    String proposalId;

    @Option(names = "--author", paramLabel = "WHO", description = "Who (default: the user name).")
    String author;

    @Option(names = "--min-decisions", paramLabel = "N", defaultValue = "0",
            description = "Settled decisions to compare before it completes (default: the service's, 200).")
    long minDecisions;

    @Option(names = "--max-hours", paramLabel = "H", defaultValue = "0",
            description = "End the run after this many hours even with fewer decisions (default: the service's, 7 days).")
    long maxHours;

    @Override
    public Integer call() {
        RuleProposal p = rules(s -> s.startShadow(StartShadowRequest.newBuilder().setProposalId(proposalId)
                .setMinDecisions(minDecisions).setMaxDurationMs(java.util.concurrent.TimeUnit.HOURS.toMillis(maxHours))
                .setAuthor(author != null ? author : System.getProperty("user.name", "arbiter-cli")).build()));
        out().println(p.getProposalId() + " " + ProposalPrinter.state(p.getState()) + ": " + p.getStateReason());
        return 0;
    }
}
