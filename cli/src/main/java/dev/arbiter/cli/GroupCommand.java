package dev.arbiter.cli;

import picocli.CommandLine.IExitCodeGenerator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups others (arbiter, arbiter history, ...): run alone, it shows its usage; exit code 2. */
public abstract class GroupCommand implements Runnable, IExitCodeGenerator {

    @Spec
    protected CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Override
    public int getExitCode() {
        return dev.arbiter.cli.client.Failures.USAGE;
    }
}
