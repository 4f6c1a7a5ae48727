package dev.arbiter.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the CLI in-process as the packaged application does (same configuration), capturing what it prints. */
public final class Cli {

    /** What one run printed and returned. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    public static Result run(String... args) {
        return run(new ByteArrayInputStream(new byte[0]), args);
    }

    public static Result withStdin(String stdin, String... args) {
        return run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    public static Result run(InputStream stdin, String... args) {
        ArbiterCommand root = new ArbiterCommand().withStdin(stdin);
        CommandLine cl = Arbiter.configure(new CommandLine(root));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** The parsed command object of {@code args} (the last subcommand), without running it. */
    @SuppressWarnings("unchecked")
    public static <T> T parse(String... args) {
        CommandLine cl = Arbiter.configure(new CommandLine(new ArbiterCommand()));
        CommandLine.ParseResult r = cl.parseArgs(args);
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return (T) r.commandSpec().userObject();
    }
}
