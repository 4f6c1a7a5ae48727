package dev.arbiter.cli.rules;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.proto.v1.GetLlmStatusRequest;
import dev.arbiter.proto.v1.LlmStatus;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code arbiter rules llm-status}: the LLM as rule-service sees it. */
@Command(name = "llm-status", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Show the LLM's availability, circuit, rate limit and today's use against the budgets.",
        description = {"Example: arbiter rules llm-status"})
public class RulesLlmStatusCommand extends CliCommand {

    @Override
    public Integer call() {
        LlmStatus s = rules(r -> r.getLlmStatus(GetLlmStatusRequest.getDefaultInstance()));
        PrintWriter out = out();
        out.printf("model       %s%s%n", s.getModelName(), s.getConfigured() ? "" : " (no LLM configured)");
        out.printf("available   %s%n", s.getAvailable() ? "yes" : "no");
        out.printf("circuit     %s, %d failure(s) in a row%n", s.getCircuitState().name().substring("CIRCUIT_STATE_".length())
                .toLowerCase(Locale.ROOT).replace('_', '-'), s.getConsecutiveFailures());
        if (!s.getLastError().isEmpty()) {
            out.printf("last error  %s (%s)%n", s.getLastError(), Fmt.moment(s.getLastErrorTsMicros()));
        }
        if (s.getRateLimitedUntilTsMicros() > 0) {
            out.printf("rate limit  until %s%n", Fmt.moment(s.getRateLimitedUntilTsMicros()));
        }
        out.printf("today       %s calls, %s of %s tokens, cost %s of %s%n", Fmt.count(s.getCallsToday()),
                Fmt.count(s.getTokensToday()), Fmt.count(s.getDailyTokenBudget()), Fmt.num(s.getCostToday(), 4),
                Fmt.num(s.getDailyCostBudget(), 2));
        out.printf("timeout     %s%n", Fmt.duration(s.getCallTimeoutMs()));
        out.printf("degraded    %s%n", s.getDegraded() ? s.getDegradedMode() : "no");
        return 0;
    }
}
