package dev.arbiter.cli;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/** Gives Quarkus' picocli runner the command line configured by {@link Arbiter}, instead of its default one. */
@ApplicationScoped
public class CommandLineProducer {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return Arbiter.configure(factory.create());
    }
}
