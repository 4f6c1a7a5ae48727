package dev.arbiter.cli.rules;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every command that moves a proposal sends: the proposal, why, and who. */
public class ProposalChange {

    @Parameters(index = "0", paramLabel = "PROPOSAL", description = "The proposal id.")
    String proposalId;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; kept in its history.")
    String reason;

    @Option(names = "--author", paramLabel = "WHO", description = "Who (default: the user name).")
    String author;

    String author() {
        return author != null ? author : System.getProperty("user.name", "arbiter-cli");
    }
}
