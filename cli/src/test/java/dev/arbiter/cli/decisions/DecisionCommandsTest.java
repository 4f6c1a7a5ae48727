package dev.arbiter.cli.decisions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.client.Failures;
import org.junit.jupiter.api.Test;

/**
 * The decision commands when decision-service is not there. What decide, outcome and performance send and print
 * against the real decision-service is `it/CliIT`'s.
 */
class DecisionCommandsTest {

    @Test
    void aServiceThatIsNotThereIsExitCodeThreeWithTheFix() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Cli.Result r = Cli.run("--decisions", "127.0.0.1:" + closed, "performance");
        assertEquals(Failures.UNAVAILABLE, r.exitCode(), r.toString());
        assertEquals("arbiter: decision-service does not answer at 127.0.0.1:" + closed + ": start it (see README) or pass "
                + "--decisions host:port", r.err().trim());
    }
}
