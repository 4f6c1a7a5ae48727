package dev.arbiter.cli.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.client.Failures;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * The rules commands' usage errors and a rule-service that is not there. What they send and print against the real
 * rule-service is `it/CliIT`'s.
 */
class RulesCommandsTest {

    @Test
    void aServiceThatIsNotThereIsExitCodeThreeWithTheFix() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Cli.Result r = Cli.run("--rules", "127.0.0.1:" + closed, "rules", "list");
        assertEquals(Failures.UNAVAILABLE, r.exitCode(), r.toString());
        assertEquals("arbiter: rule-service does not answer at 127.0.0.1:" + closed + ": start it (see README) or pass "
                + "--rules host:port", r.err().trim());
    }

    @Test
    void wrongOptionsAreUsageErrors() {
        Cli.Result limit = Cli.run("rules", "list", "--limit", "0");
        assertEquals(2, limit.exitCode(), limit.toString());
        assertTrue(limit.err().contains("--limit is 0; give 1 or more"), limit.err());
        Cli.Result kind = Cli.run("rules", "validate", "--kind", "veto", "agreement > 0.5");
        assertEquals(2, kind.exitCode(), kind.toString());
        Cli.Result state = Cli.run("rules", "list", "--state", "pending");
        assertEquals(2, state.exitCode(), state.toString());
        Cli.Result noRationale = Cli.run("rules", "submit", "agreement > 0.5");
        assertEquals(2, noRationale.exitCode(), noRationale.toString());
        assertTrue(noRationale.err().contains("--rationale"), noRationale.err());
    }
}
