package dev.arbiter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The examples a user can copy: each "Example:" line of every command's help and each {@code arbiter} command in the
 * READMEs' code blocks. {@code ExamplesTest} parses them all; {@code it/CliIT} runs them against the services.
 */
public final class Examples {

    /**
     * One example.
     *
     * @param source the document it belongs to ("help" or a README's path): each is a walkthrough of its own
     * @param where where it was found, for messages
     * @param args the command line after "arbiter"
     * @param stdin the file piped into it ({@code tail -f feed.csv | arbiter ...}), or null
     * @param expectedExit the exit code the document shows: 1 when its output says the service refused, 3 when it
     *     says a service does not answer, 0 otherwise
     * @param silentService the service the document shows not answering ("optimizer-service"), or null
     */
    public record Example(String source, String where, List<String> args, String stdin, int expectedExit,
            String silentService) {

        /** The command's words before its first option or argument that is not a subcommand ("models upload"). */
        public String command() {
            CommandLine cl = cli();
            List<String> words = new ArrayList<>();
            for (String a : args) {
                CommandLine sub = cl.getSubcommands().get(a);
                if (sub == null) {
                    break;
                }
                words.add(a);
                cl = sub;
            }
            return String.join(" ", words);
        }

        @Override
        public String toString() {
            return where + ": arbiter " + String.join(" ", args);
        }
    }

    private static final Pattern PIPED = Pattern.compile("\\S+ -f (\\S+) \\| (?:\\./)?arbiter ");

    private Examples() {}

    public static CommandLine cli() {
        return Arbiter.configure(new CommandLine(new ArbiterCommand()));
    }

    public static List<CommandSpec> commands(CommandLine cl) {
        List<CommandSpec> all = new ArrayList<>();
        all.add(cl.getCommandSpec());
        for (CommandLine sub : cl.getSubcommands().values()) {
            all.addAll(commands(sub));
        }
        return all;
    }

    /** The examples of one command's help: the description lines from the first "Example" on. */
    public static List<Example> helpExamples(CommandSpec spec) {
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
                Matcher piped = PIPED.matcher(line);
                out.add(new Example("help", "help of '" + spec.qualifiedName() + "'",
                        tokens(line.substring(at + "arbiter ".length())), piped.find() ? piped.group(1) : null, 0, null));
            }
        }
        return out;
    }

    /**
     * The {@code arbiter} commands of a README's code blocks ("$ " prompts, "\" continuations and a file piped in with
     * {@code tail -f FILE |} allowed), each with the exit code its printed output shows.
     */
    public static List<Example> readmeExamples(Path readme) throws IOException {
        List<Example> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(readme);
        boolean inBlock = false;
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            if (raw.startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            String line = raw.strip();
            if (!inBlock) {
                continue;
            }
            if (line.startsWith("$ ")) {
                line = line.substring(2);
            }
            Matcher piped = PIPED.matcher(line);
            String stdin = null;
            if (piped.lookingAt()) {
                stdin = piped.group(1);
                line = line.substring(piped.end() - "arbiter ".length());
            }
            if (!line.startsWith("./arbiter ") && !line.startsWith("arbiter ")) {
                continue;
            }
            int start = i;
            StringBuilder command = new StringBuilder();
            line = line.substring(line.indexOf("arbiter ") + "arbiter ".length());
            while (true) {
                int comment = line.indexOf(" #");
                if (comment >= 0) {
                    line = line.substring(0, comment);
                }
                boolean continues = line.endsWith("\\");
                command.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
                if (!continues) {
                    break;
                }
                line = lines.get(++i).strip();
            }
            // Its output: the lines up to the next command or the end of the block.
            StringBuilder output = new StringBuilder();
            for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("```") && !lines.get(j).startsWith("$ "); j++) {
                output.append(lines.get(j)).append('\n');
            }
            Matcher silent = Pattern.compile("^arbiter: (\\S+-service) does not answer", Pattern.MULTILINE).matcher(output);
            boolean refused = Pattern.compile("^arbiter: \\S+-service refused \\(", Pattern.MULTILINE).matcher(output).find();
            boolean isSilent = silent.find();
            out.add(new Example(readme.toString(), readme + ":" + (start + 1), tokens(command.toString()), stdin,
                    isSilent ? 3 : refused ? 1 : 0, isSilent ? silent.group(1) : null));
        }
        return out;
    }

    /** Splits a shell command line into words ("..." and '...' quoting, no expansion). */
    public static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(line);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return out;
    }

    /** Every example: the help of every command, then the root README and cli/README.md ({@code root} is the repository). */
    public static List<Example> all(Path root) throws IOException {
        List<Example> all = new ArrayList<>();
        commands(cli()).forEach(spec -> all.addAll(helpExamples(spec)));
        for (Path readme : List.of(root.resolve("README.md"), root.resolve("cli/README.md"))) {
            all.addAll(readmeExamples(readme));
        }
        return all;
    }
}
