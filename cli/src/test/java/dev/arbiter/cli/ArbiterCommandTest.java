package dev.arbiter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.client.Failures;
import dev.arbiter.cli.client.HostPort;
import dev.arbiter.cli.client.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command tree, help, the shared options and usage errors (exit code 2), without any service. */
class ArbiterCommandTest {

    @Test
    void helpListsEveryCommandGroupedByTheServiceItNeeds() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.exitCode(), r.toString());
        String help = r.out();
        for (String group : Arbiter.GROUPS.keySet()) {
            assertTrue(help.contains(group + ":"), group + "\n" + help);
        }
        for (String command : List.of("history", "train", "retrain", "retrainings", "backtest", "stress", "reports", "models", "decide", "outcome",
                "performance", "ab", "features")) {
            assertTrue(help.lines().anyMatch(l -> l.trim().startsWith(command + " ")), command + "\n" + help);
        }
        int previous = -1;
        for (String group : Arbiter.GROUPS.keySet()) {
            assertTrue(help.indexOf(group + ":") > previous, "groups in order:\n" + help);
            previous = help.indexOf(group + ":");
        }
        assertTrue(help.lines().anyMatch(l -> l.matches("  backtest +Walk-forward backtest, with the fold and ablation tables\\.")),
                "headers:\n" + help);
        assertTrue(help.contains("--optimizer=HOST:PORT") && help.contains("127.0.0.1:9104"), help);
        assertTrue(help.contains("Exit codes: 0 done, 1 a service refused"), help);
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] command : new String[][] {{"history", "import"}, {"history", "list"}, {"train"}, {"retrain"}, {"retrainings"}, {"backtest"},
                {"stress"}, {"reports"}, {"models", "upload"}, {"models", "list"}, {"models", "activate"},
                {"models", "define-ensemble"}, {"models", "ensembles"}, {"models", "drift"}, {"decide"}, {"outcome"},
                {"performance"}, {"ab"}, {"features", "ingest"}, {"features", "list"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            Cli.Result r = Cli.run(args);
            assertEquals(0, r.exitCode(), String.join(" ", command) + "\n" + r);
            assertTrue(r.out().contains("Usage: arbiter " + String.join(" ", command) + " [OPTIONS]"), r.out());
        }
        // A '%' in a description is a format directive to picocli: a lone one makes picocli warn on System.err
        // ("Could not format") on every run; written as "%%" it prints as one.
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        String outcome;
        System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            outcome = Cli.run("outcome", "--help").out();
        } finally {
            System.setErr(err);
        }
        assertTrue(outcome.contains("0.01 = +1 %, not scaled by size"), outcome);
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aGroupAloneShowsItsUsageAsAUsageError() {
        Cli.Result top = Cli.run();
        assertEquals(Failures.USAGE, top.exitCode());
        assertTrue(top.err().startsWith("Arbiter: real-time decisions"), top.err());
        Cli.Result models = Cli.run("models");
        assertEquals(Failures.USAGE, models.exitCode());
        assertTrue(models.err().contains("Usage: arbiter models") && models.err().contains("define-ensemble"), models.err());
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithASuggestion() {
        Cli.Result r = Cli.run("backtset");
        assertEquals(Failures.USAGE, r.exitCode());
        assertTrue(r.err().contains("Unmatched argument") && r.err().contains("backtest"), r.err());
        assertTrue(r.err().contains("Run 'arbiter --help'"), r.err());
    }

    @Test
    void aMissingRequiredOptionNamesTheOption() {
        Cli.Result r = Cli.run("backtest", "--series", "x", "--train", "100");
        assertEquals(Failures.USAGE, r.exitCode());
        assertTrue(r.err().contains("--test"), r.err());
        assertTrue(r.err().contains("Run 'arbiter backtest --help'"), r.err());
    }

    @Test
    void aBadChoiceListsTheChoices() {
        Cli.Result r = Cli.run("train", "--kind", "xgb", "--series", "x");
        assertEquals(Failures.USAGE, r.exitCode());
        assertTrue(r.err().contains("gbt") && r.err().contains("logreg") && r.err().contains("xgb"), r.err());
    }

    @Test
    void serviceOptionsGoBeforeOrAfterTheCommand() {
        ArbiterCommand before = Cli.<dev.arbiter.cli.history.HistoryListCommand>parse("--optimizer", "10.0.0.1:1234",
                "history", "list").root();
        assertEquals(new HostPort("10.0.0.1", 1234), before.services().address(Service.OPTIMIZER));
        ArbiterCommand after = Cli.<dev.arbiter.cli.history.HistoryListCommand>parse("history", "list", "--optimizer",
                "optimizer.internal").root();
        assertEquals(new HostPort("optimizer.internal", 9104), after.services().address(Service.OPTIMIZER),
                "a host alone takes the service's port");
        assertEquals(new HostPort("127.0.0.1", 9101), after.services().address(Service.FEATURES), "defaults");
    }

    @Test
    void aBadAddressIsAUsageErrorNamingTheOption() {
        Cli.Result r = Cli.run("--optimizer", "localhost:99999", "history", "list");
        assertEquals(Failures.USAGE, r.exitCode());
        assertTrue(r.err().contains("--optimizer") && r.err().contains("1..65535"), r.err());
        Cli.Result t = Cli.run("--timeout", "0", "history", "list");
        assertEquals(Failures.USAGE, t.exitCode());
        assertTrue(t.err().contains("--timeout is 0.0"), t.err());
    }

    @Test
    void versionComesFromTheBuild() {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("arbiter "), r.out());
    }
}
