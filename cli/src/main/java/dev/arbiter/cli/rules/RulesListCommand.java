package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.ListProposalsRequest;
import dev.arbiter.proto.v1.ListProposalsResponse;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.RuleProposal;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code arbiter rules list}: proposals, newest first. */
@Command(name = "list", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "List rule proposals, newest first.",
        description = {"Example: arbiter rules list --state validated"})
public class RulesListCommand extends CliCommand {

    /** States as the command line spells them. */
    enum State {
        proposed, validation_failed, validated, backtested, shadow, promoted, rejected, rolled_back
    }

    /** Sources as the command line spells them. */
    enum Source {
        llm, local_search, human
    }

    @Option(names = "--state", paramLabel = "STATE", description = "Only proposals in this state: ${COMPLETION-CANDIDATES}.")
    State state;

    @Option(names = "--source", paramLabel = "SOURCE", description = "Only proposals from: ${COMPLETION-CANDIDATES}.")
    Source source;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new UsageError("--limit is " + limit + "; give 1 or more");
        }
        Table t = new Table().left("proposal").left("state").left("source").left("kind").left("rule").left("expression")
                .left("author").left("created");
        ListProposalsRequest.Builder request = ListProposalsRequest.newBuilder().setPageSize(Math.min(Math.max(limit, 1), 500));
        if (state != null) {
            request.setState(ProposalState.valueOf("PROPOSAL_STATE_" + state.name().toUpperCase(Locale.ROOT)));
        }
        if (source != null) {
            request.setSource(ProposalSource.valueOf("PROPOSAL_SOURCE_" + source.name().toUpperCase(Locale.ROOT)));
        }
        String token = "";
        int shown = 0;
        do {
            String page = token;
            ListProposalsResponse r = rules(s -> s.listProposals(request.setPageToken(page).build()));
            for (RuleProposal p : r.getProposalsList()) {
                if (shown++ >= limit) {
                    break;
                }
                t.row(p.getProposalId(), ProposalPrinter.state(p.getState()), ProposalPrinter.source(p.getSource()),
                        ProposalPrinter.kind(p.getRule().getKind()), p.getRule().getRuleId(),
                        ProposalPrinter.shortened(p.getRule().getExpression(), 60), p.getAuthor(),
                        Fmt.moment(p.getCreatedTsMicros()));
            }
            token = r.getNextPageToken();
        } while (!token.isEmpty() && shown < limit);
        t.printOr(out(), "no proposals" + (state != null || source != null ? " match" : " yet: submit one with "
                + "'arbiter rules submit'"));
        return 0;
    }
}
