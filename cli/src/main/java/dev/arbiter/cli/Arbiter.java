package dev.arbiter.cli;

import dev.arbiter.cli.client.Failures;
import dev.arbiter.cli.client.ServiceError;
import dev.arbiter.cli.client.UsageError;
import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Configures the picocli command line the same way for the packaged application ({@link CommandLineProducer}) and
 * for tests: failures in plain words with their exit codes, the command list in groups by service, and the channels
 * closed when the command ends.
 */
public final class Arbiter {

    /** The command list of {@code arbiter --help}, by the service each group needs. */
    static final Map<String, List<String>> GROUPS = groups();

    private Arbiter() {
    }

    /** A configured command line over a new {@link ArbiterCommand}. */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new ArbiterCommand()));
    }

    public static CommandLine configure(CommandLine cl) {
        ArbiterCommand root = (ArbiterCommand) cl.getCommand();
        cl.setParameterExceptionHandler(Arbiter::usageError);
        cl.setExecutionExceptionHandler((e, command, parseResult) -> failure(e, command));
        cl.setExecutionStrategy(parseResult -> {
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } finally {
                root.close();
            }
        });
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING, help -> "");
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, Arbiter::groupedCommands);
        return cl;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("arbiter: " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for its options.");
        err.flush();
        return Failures.USAGE;
    }

    private static int failure(Exception e, CommandLine command) {
        PrintWriter err = command.getErr();
        int code;
        if (e instanceof ServiceError s) {
            err.println("arbiter: " + Failures.message(s));
            code = Failures.exitCode(s);
        } else if (e instanceof UsageError) {
            err.println("arbiter: " + e.getMessage());
            err.println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for its options.");
            code = Failures.USAGE;
        } else if (e instanceof NoSuchFileException || e instanceof FileNotFoundException) {
            err.println("arbiter: there is no file " + e.getMessage() + "; check the path");
            code = Failures.USAGE;
        } else if (e instanceof AccessDeniedException) {
            err.println("arbiter: cannot read " + e.getMessage() + ": permission denied");
            code = Failures.USAGE;
        } else {
            err.println("arbiter: unexpected failure: " + e);
            if (System.getenv("ARBITER_DEBUG") != null) {
                e.printStackTrace(err);
            } else {
                err.println("(set ARBITER_DEBUG=1 for the stack trace)");
            }
            code = Failures.REFUSED;
        }
        err.flush();
        return code;
    }

    private static String groupedCommands(Help help) {
        Map<String, Help> all = help.subcommands();
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<String>> g : GROUPS.entrySet()) {
            Map<String, Help> part = new LinkedHashMap<>();
            for (String name : g.getValue()) {
                if (all.containsKey(name)) {
                    part.put(name, all.get(name));
                }
            }
            if (!part.isEmpty()) {
                b.append(String.format("%n%s:%n", g.getKey())).append(help.commandList(part));
            }
        }
        return b.toString();
    }

    private static Map<String, List<String>> groups() {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("Start here", List.of("demo"));
        g.put("History, training and evaluation (optimizer-service)", List.of("history", "train", "retrain", "retrainings",
                "backtest", "stress", "reports"));
        g.put("Models (model-service)", List.of("models"));
        g.put("Decisions (decision-service)", List.of("decide", "outcome", "performance", "ab"));
        g.put("Features (feature-service)", List.of("features"));
        g.put("Rules (rule-service)", List.of("rules"));
        g.put("Access (no service)", List.of("token"));
        g.put("Help", List.of("help"));
        return g;
    }
}
