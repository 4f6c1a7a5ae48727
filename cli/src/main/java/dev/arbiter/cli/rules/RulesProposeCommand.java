package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.ProposeRulesRequest;
import dev.arbiter.proto.v1.ProposeRulesResponse;
import dev.arbiter.proto.v1.RuleProposal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code arbiter rules propose}: one proposal round. */
@Command(name = "propose", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Ask for rule proposals: each is validated and stored.",
        description = {"rule-service asks the LLM (when one is configured: ARBITER_LLM_BASE_URL on rule-service) with the "
                + "live policy's performance, the live rules and the variables; each answer is parsed strictly and "
                + "validated. When the LLM cannot be used the round is degraded, which is not an error: rule-service's "
                + "offline search proposes instead (rule templates tuned on history, when it has a series to tune on), "
                + "the reason is printed on standard error and the exit code stays 0.",
                "Example: arbiter rules propose --max 2 --guidance 'fewer losing trades in volatile hours'"})
public class RulesProposeCommand extends CliCommand {

    @Option(names = "--max", paramLabel = "N", defaultValue = "0",
            description = "Proposals to ask for, each one call to the LLM (default: rule-service's, 3).")
    int max;

    @Option(names = "--kind", paramLabel = "KIND", description = "Only rules of this kind: ${COMPLETION-CANDIDATES}.")
    RuleOptions.Kind kind;

    @Option(names = "--guidance", paramLabel = "TEXT", defaultValue = "", description = "Extra instructions for the LLM.")
    String guidance;

    @Option(names = "--author", paramLabel = "WHO", description = "Who asks (default: the user name).")
    String author;

    @Override
    public Integer call() {
        ProposeRulesRequest.Builder request = ProposeRulesRequest.newBuilder().setMaxProposals(Math.max(max, 0))
                .setGuidance(guidance).setAuthor(author != null ? author : System.getProperty("user.name", "arbiter-cli"));
        if (kind != null) {
            request.setKind(kind.proto);
        }
        ProposeRulesResponse r = rules(s -> s.proposeRules(request.build()));
        Table t = new Table().left("proposal").left("state").left("rule").left("expression").left("why");
        for (RuleProposal p : r.getProposalsList()) {
            t.row(p.getProposalId(), ProposalPrinter.state(p.getState()), p.getRule().getRuleId(),
                    ProposalPrinter.shortened(p.getRule().getExpression(), 60), ProposalPrinter.shortened(p.getStateReason(), 80));
        }
        t.printOr(out(), "no proposals");
        if (r.getDegraded()) {
            err().println("degraded: " + r.getDegradedReason());
        }
        return 0;
    }
}
