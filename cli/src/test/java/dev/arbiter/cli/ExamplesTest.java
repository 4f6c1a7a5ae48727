package dev.arbiter.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arbiter.cli.Examples.Example;
import dev.arbiter.engine.policy.PolicyParameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every example a user can copy must be accepted: each "Example:" line of every command's help and each {@code arbiter}
 * command in the READMEs' code blocks ({@link Examples}) parses with the CLI's own parser (so no option is unknown or malformed), and
 * every policy parameter an example or an option's help names (backtest --param, study create --space) exists in the
 * engine's catalogue. A help text once suggested {@code --param confidence.min=0.6}, which the service refused.
 */
class ExamplesTest {

    /** Options whose NAME=... values are policy parameter names. */
    static final List<String> POLICY_OPTIONS = List.of("--param@backtest", "--space@create");
    static final Pattern POLICY_NAME = Pattern.compile("\\b([a-z]+\\.[a-z_]+)=");

    static void policyNames(String where, String text) {
        Matcher m = POLICY_NAME.matcher(text);
        while (m.find()) {
            assertNotNull(PolicyParameter.byKey(m.group(1)), where + " names the policy parameter " + m.group(1)
                    + ", which does not exist");
        }
    }

    @Test
    void everyExampleInTheHelpAndTheReadmesParses() throws IOException {
        List<Example> examples = Examples.all(Path.of(".."));
        assertTrue(examples.size() >= 30, "examples found: " + examples.size());
        assertTrue(examples.stream().anyMatch(e -> e.where().startsWith("help of 'arbiter backtest'")), "help examples are read");
        assertTrue(examples.stream().anyMatch(e -> e.where().contains("cli/README.md")), "README examples are read");
        List<Executable> checks = new ArrayList<>();
        for (Example e : examples) {
            checks.add(() -> {
                CommandLine.ParseResult r;
                try {
                    r = Examples.cli().parseArgs(e.args().toArray(String[]::new));
                } catch (CommandLine.ParameterException bad) {
                    fail(e + " is refused: " + bad.getMessage());
                    return;
                }
                while (r.hasSubcommand()) {
                    r = r.subcommand();
                }
                for (String option : POLICY_OPTIONS) {
                    String[] o = option.split("@");
                    if (r.commandSpec().name().equals(o[1]) && r.hasMatchedOption(o[0])) {
                        for (String value : r.matchedOption(o[0]).stringValues()) {
                            policyNames(e.where(), value.substring(0, value.indexOf('=') + 1));
                        }
                    }
                }
            });
        }
        assertAll(checks);
    }

    @Test
    void theHelpOfEveryPolicyParameterOptionNamesRealParameters() {
        List<Executable> checks = new ArrayList<>();
        for (CommandSpec spec : Examples.commands(Examples.cli())) {
            for (String option : POLICY_OPTIONS) {
                String[] o = option.split("@");
                OptionSpec opt = spec.name().equals(o[1]) ? spec.findOption(o[0]) : null;
                if (opt != null) {
                    checks.add(() -> policyNames("help of '" + spec.qualifiedName() + " " + o[0] + "'",
                            String.join(" ", opt.description())));
                }
            }
        }
        assertTrue(checks.size() >= 2, "backtest --param and study create --space are checked");
        assertAll(checks);
    }
}
