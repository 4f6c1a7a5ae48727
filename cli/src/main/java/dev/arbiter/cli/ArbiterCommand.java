package dev.arbiter.cli;

import dev.arbiter.cli.client.HostPort;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.decisions.DecideCommand;
import dev.arbiter.cli.demo.DemoCommand;
import dev.arbiter.cli.decisions.OutcomeCommand;
import dev.arbiter.cli.decisions.AbCommand;
import dev.arbiter.cli.decisions.PerformanceCommand;
import dev.arbiter.cli.features.FeaturesCommand;
import dev.arbiter.cli.history.HistoryCommand;
import dev.arbiter.cli.models.ModelsCommand;
import dev.arbiter.cli.optimizer.BacktestCommand;
import dev.arbiter.cli.optimizer.ReportsCommand;
import dev.arbiter.cli.optimizer.StressCommand;
import dev.arbiter.cli.optimizer.RetrainCommand;
import dev.arbiter.cli.optimizer.RetrainingsCommand;
import dev.arbiter.cli.optimizer.TrainCommand;
import dev.arbiter.cli.rules.RulesCommand;
import dev.arbiter.cli.study.StudyCommand;
import dev.arbiter.service.auth.CallerToken;
import dev.arbiter.service.tls.ClientTls;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import dev.arbiter.cli.output.ProgressMode;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code arbiter}: the top command. It holds what every command shares (the services' addresses, deadlines, how
 * progress is shown) as options that may be given before or after the command name, and the open channels.
 */
@TopCommand
@Command(name = "arbiter", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true,
        header = "Arbiter: real-time decisions on noisy sequential data, from the command line.",
        description = {"Talks to the Arbiter services over gRPC. Each command says which service it needs; start them as "
                + "the README says, or point the options below at where they run.%n"},
        footer = {"%nExit codes: 0 done, 1 a service refused the request, 2 the command line is wrong, 3 a service does "
                + "not answer.", "Run 'arbiter COMMAND --help' for a command's options."},
        subcommands = {
                DemoCommand.class,
                HistoryCommand.class, TrainCommand.class, RetrainCommand.class, RetrainingsCommand.class, BacktestCommand.class, StressCommand.class, ReportsCommand.class,
                StudyCommand.class,
                ModelsCommand.class,
                DecideCommand.class, OutcomeCommand.class, PerformanceCommand.class, AbCommand.class,
                FeaturesCommand.class,
                RulesCommand.class,
                TokenCommand.class,
                HelpCommand.class})
public class ArbiterCommand extends GroupCommand implements AutoCloseable {

    @Option(names = "--features", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            defaultValue = "${env:ARBITER_FEATURES:-127.0.0.1:9101}",
            description = "feature-service (env ARBITER_FEATURES; default: ${DEFAULT-VALUE}).")
    String features;

    @Option(names = "--models", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            defaultValue = "${env:ARBITER_MODELS:-127.0.0.1:9102}",
            description = "model-service (env ARBITER_MODELS; default: ${DEFAULT-VALUE}).")
    String models;

    @Option(names = "--decisions", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            defaultValue = "${env:ARBITER_DECISIONS:-127.0.0.1:9103}",
            description = "decision-service (env ARBITER_DECISIONS; default: ${DEFAULT-VALUE}).")
    String decisions;

    @Option(names = "--optimizer", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            defaultValue = "${env:ARBITER_OPTIMIZER:-127.0.0.1:9104}",
            description = "optimizer-service (env ARBITER_OPTIMIZER; default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--rules", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            defaultValue = "${env:ARBITER_RULES:-127.0.0.1:9105}",
            description = "rule-service (env ARBITER_RULES; default: ${DEFAULT-VALUE}).")
    String rules;

    @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT,
            defaultValue = "${env:ARBITER_TIMEOUT:-30}",
            description = "Deadline of each request/answer call (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--stream-timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT,
            defaultValue = "${env:ARBITER_STREAM_TIMEOUT:-3600}",
            description = "Deadline of each stream: imports, training, backtests, decide and ingest over a file "
                    + "(default: ${DEFAULT-VALUE}; 0 = none, for a live feed on standard input).")
    double streamTimeoutSeconds;

    @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            defaultValue = "${env:ARBITER_TOKEN_FILE}",
            description = "A file holding your bearer token, sent on every call when the services require one (env "
                    + "ARBITER_TOKEN_FILE; or the token itself in env ARBITER_TOKEN). Never give a token as an argument.")
    Path tokenFile;

    @Option(names = "--tls-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            defaultValue = "${env:ARBITER_TLS_DIR}",
            description = "Mutual TLS, for services that run it (the Helm chart's default): a directory with your "
                    + "certificate tls.crt, its key tls.key (PKCS#8) and the services' CA ca.crt (env ARBITER_TLS_DIR). "
                    + "Unset: plaintext.")
    Path tlsDir;

    @Option(names = "--progress", paramLabel = "MODE", scope = ScopeType.INHERIT, defaultValue = "auto",
            description = "Progress on standard error: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: a bar on a "
                    + "terminal, plain lines otherwise).")
    ProgressMode progress;

    private InputStream stdin = System.in;
    private Services services;

    /** The channels to the services, opened on first use with the addresses and deadlines of the options. */
    public synchronized Services services() {
        if (services == null) {
            Map<Service, HostPort> addresses = new EnumMap<>(Service.class);
            addresses.put(Service.FEATURES, address(Service.FEATURES, features));
            addresses.put(Service.MODELS, address(Service.MODELS, models));
            addresses.put(Service.DECISIONS, address(Service.DECISIONS, decisions));
            addresses.put(Service.OPTIMIZER, address(Service.OPTIMIZER, optimizer));
            addresses.put(Service.RULES, address(Service.RULES, rules));
            services = new Services(addresses, seconds("--timeout", timeoutSeconds, false),
                    seconds("--stream-timeout", streamTimeoutSeconds, true), token(), credentials());
        }
        return services;
    }

    /** Plaintext, or mutual TLS with the files in --tls-dir. */
    private ChannelCredentials credentials() {
        if (tlsDir == null) {
            return InsecureChannelCredentials.create();
        }
        for (String file : new String[] {"tls.crt", "tls.key", "ca.crt"}) {
            if (!Files.isReadable(tlsDir.resolve(file))) {
                throw new UsageError("--tls-dir " + tlsDir + " has no readable " + file + "; give the directory with your certificate"
                        + " (tls.crt), its key (tls.key) and the services' CA (ca.crt)");
            }
        }
        return ClientTls.credentials(false, tlsDir);
    }

    /** The caller's token: --token-file, else the environment's ARBITER_TOKEN, else none. */
    private CallerToken token() {
        if (tokenFile != null) {
            if (!Files.isReadable(tokenFile)) {
                throw new UsageError("--token-file " + tokenFile + " cannot be read; give the file that holds your token");
            }
            return new CallerToken(Optional.of(tokenFile));
        }
        return CallerToken.of(System.getenv("ARBITER_TOKEN"));
    }

    /** How progress is shown. */
    public ProgressMode progressMode() {
        return progress;
    }

    /** Standard input, for commands that read a feed from it; tests put their own here. */
    public InputStream stdin() {
        return stdin;
    }

    public ArbiterCommand withStdin(InputStream in) {
        this.stdin = in;
        return this;
    }

    @Override
    public synchronized void close() {
        if (services != null) {
            services.close();
            services = null;
        }
    }

    private static HostPort address(Service service, String text) {
        try {
            return HostPort.parse(text, service.defaultPort);
        } catch (IllegalArgumentException e) {
            throw new UsageError(service.option + ": " + e.getMessage());
        }
    }

    private static Duration seconds(String option, double seconds, boolean zeroAllowed) {
        if (!Double.isFinite(seconds) || seconds < 0 || (seconds == 0 && !zeroAllowed)) {
            throw new UsageError(option + " is " + seconds + "; give a number of seconds above 0"
                    + (zeroAllowed ? " (or 0 for none)" : ""));
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}
