package dev.arbiter.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arbiter.engine.policy.PolicyParameter;
import java.io.IOException;
import java.nio.file.Files;
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
 * command in the READMEs' code blocks parses with the CLI's own parser (so no option is unknown or malformed), and
 * every policy parameter an example or an option's help names (backtest --param, study create --space) exists in the
 * engine's catalogue. A help text once suggested {@code --param confidence.min=0.6}, which the service refused.
 */
class ExamplesTest {

    /** Where an example was found, and the command line after "arbiter". */
    record Example(String where, List<String> args) {}

    /** Options whose NAME=... values are policy parameter names. */
    static final List<String> POLICY_OPTIONS = List.of("--param@backtest", "--space@create");
    static final Pattern POLICY_NAME = Pattern.compile("\\b([a-z]+\\.[a-z_]+)=");

    static CommandLine cli() {
        return Arbiter.configure(new CommandLine(new ArbiterCommand()));
    }

    static List<CommandSpec> commands(CommandLine cl) {
        List<CommandSpec> all = new ArrayList<>();
        all.add(cl.getCommandSpec());
        for (CommandLine sub : cl.getSubcommands().values()) {
            all.addAll(commands(sub));
        }
        return all;
    }

    /** The examples of one command's help: the description lines from the first "Example" on. */
    static List<Example> helpExamples(CommandSpec spec) {
        List<Example> out = new ArrayList<>();
        boolean inExamples = false;
        for (String line : spec.usageMessage().description()) {
            if (line.startsWith("Example")) {
                inExamples = true;
                line = line.substring(line.indexOf(':') + 1);
            } else if (!inExamples || !line.startsWith(" ")) {
                continue;
            }
            int at = line.indexOf("arbiter ");
            if (at >= 0) {
                out.add(new Example("help of '" + spec.qualifiedName() + "'", tokens(line.substring(at + "arbiter ".length()))));
            }
        }
        return out;
    }

    /** The {@code arbiter} commands of a README's code blocks ("$ " prompts and "\" continuations allowed). */
    static List<Example> readmeExamples(Path readme) throws IOException {
        List<Example> out = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = null;
        int lineNo = 0;
        int startLine = 0;
        for (String raw : Files.readAllLines(readme)) {
            lineNo++;
            if (raw.startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (!inBlock) {
                continue;
            }
            String line = raw.strip();
            if (pending == null) {
                if (line.startsWith("$ ")) {
                    line = line.substring(2);
                }
                if (!line.startsWith("./arbiter ") && !line.startsWith("arbiter ")) {
                    continue;
                }
                pending = new StringBuilder();
                startLine = lineNo;
                line = line.substring(line.indexOf("arbiter ") + "arbiter ".length());
            }
            int comment = line.indexOf(" #");
            if (comment >= 0) {
                line = line.substring(0, comment);
            }
            boolean continues = line.endsWith("\\");
            pending.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                out.add(new Example(readme + ":" + startLine, tokens(pending.toString())));
                pending = null;
            }
        }
        return out;
    }

    /** Splits a shell command line into words ("..." and '...' quoting, no expansion). */
    static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(line);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return out;
    }

    static List<Example> all() throws IOException {
        List<Example> all = new ArrayList<>();
        commands(cli()).forEach(spec -> all.addAll(helpExamples(spec)));
        Path root = Path.of("..");
        for (Path readme : List.of(root.resolve("README.md"), root.resolve("cli/README.md"))) {
            all.addAll(readmeExamples(readme));
        }
        return all;
    }

    static void policyNames(String where, String text) {
        Matcher m = POLICY_NAME.matcher(text);
        while (m.find()) {
            assertNotNull(PolicyParameter.byKey(m.group(1)), where + " names the policy parameter " + m.group(1)
                    + ", which does not exist");
        }
    }

    @Test
    void everyExampleInTheHelpAndTheReadmesParses() throws IOException {
        List<Example> examples = all();
        assertTrue(examples.size() >= 30, "examples found: " + examples.size());
        assertTrue(examples.stream().anyMatch(e -> e.where().startsWith("help of 'arbiter backtest'")), "help examples are read");
        assertTrue(examples.stream().anyMatch(e -> e.where().contains("cli/README.md")), "README examples are read");
        List<Executable> checks = new ArrayList<>();
        for (Example e : examples) {
            checks.add(() -> {
                CommandLine.ParseResult r;
                try {
                    r = cli().parseArgs(e.args().toArray(String[]::new));
                } catch (CommandLine.ParameterException bad) {
                    fail(e.where() + ": arbiter " + String.join(" ", e.args()) + " is refused: " + bad.getMessage());
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
        for (CommandSpec spec : commands(cli())) {
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
