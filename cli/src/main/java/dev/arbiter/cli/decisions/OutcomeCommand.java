package dev.arbiter.cli.decisions;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.csv.TimeValues;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.proto.v1.OutcomeStatus;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.ReportOutcomeResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter outcome DECISION_ID --return R}: ReportOutcome. */
@Command(name = "outcome", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Report the realised outcome of a decision.", sortOptions = false,
        description = {"decision-service joins it to the decision: it counts in performance and moves the ensemble weights.", "Example: arbiter outcome 6f1c2a9e-... --return 0.0042"})
public class OutcomeCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "DECISION_ID", description = "The decision (decide --format tsv prints the ids).")
    String decisionId;

    @Option(names = "--return", required = true, paramLabel = "R",
            description = "The series' return over the decision's horizon, as a fraction: 0.01 = +1 %%, not scaled by size.")
    double realisedReturn;

    @Option(names = "--positive", negatable = true,
            description = "The realised label, when it is not the sign of the return (--no-positive for negative).")
    Boolean positive;

    @Option(names = "--at", paramLabel = "TIME", description = "When the outcome was realised (ISO-8601; default: now).")
    String at;

    ReportOutcomeRequest request() {
        if (!Double.isFinite(realisedReturn)) {
            throw new UsageError("--return is " + realisedReturn + "; give a finite fraction such as 0.0042");
        }
        ReportOutcomeRequest.Builder b = ReportOutcomeRequest.newBuilder().setDecisionId(decisionId).setRealisedReturn(realisedReturn);
        if (positive != null) {
            b.setRealisedPositive(positive);
        }
        if (at != null) {
            b.setOutcomeTsMicros(TimeValues.option("--at", at));
        }
        return b.build();
    }

    @Override
    public Integer call() {
        ReportOutcomeRequest request = request();
        ReportOutcomeResponse r = decisions(s -> s.reportOutcome(request));
        String status = r.getStatus().name().replace("OUTCOME_STATUS_", "");
        switch (r.getStatus()) {
            case OUTCOME_STATUS_JOINED -> out().println("JOINED: pnl " + Fmt.signed(r.getPnl(), 6) + (r.getWeightsUpdated()
                    ? "; ensemble weights updated (snapshot " + r.getWeightsSnapshotId() + ")" : "; ensemble weights unchanged"));
            case OUTCOME_STATUS_DUPLICATE -> out().println("DUPLICATE: decision " + decisionId + " already has an outcome; nothing changed");
            case OUTCOME_STATUS_LATE -> out().println("LATE: logged, but after the join window, so it does not count");
            case OUTCOME_STATUS_UNKNOWN_DECISION -> err().println("arbiter: decision-service has no decision " + decisionId
                    + " (UNKNOWN_DECISION); check the id ('arbiter decide --format tsv' prints them)");
            default -> out().println(status);
        }
        out().flush();
        err().flush();
        return r.getStatus() == OutcomeStatus.OUTCOME_STATUS_UNKNOWN_DECISION ? 1 : 0;
    }
}
