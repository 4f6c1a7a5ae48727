package dev.arbiter.bench.load;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Open-loop gRPC load on decision-service (and through it feature-service and model-service), in one run against
 * one process: a warm-up of Decide, the floor (the empty health call), Decide, then DecideStream at rising rates
 * until one is not sustained. See {@link OpenLoop} for how coordinated omission is kept out of the numbers and
 * bench/README.md for how to run it ({@code bench/load.sh}).
 */
@Command(name = "load-generator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Open-loop gRPC load on decision-service: floor (grpc.health.v1.Health/Check), Decide, and the highest"
                + " sustained DecideStream rate. Exit codes: 0 run completed, 2 usage error, 3 decision-service does not answer.")
public final class LoadGenerator implements Callable<Integer> {

    /** A DecideStream rate is sustained only when at least this share of its requests is answered in the step and drain. */
    static final double SUSTAINED_ANSWERED_SHARE = 0.99;
    static final int NOT_ANSWERING = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--decisions", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9103",
            description = "decision-service's gRPC address (default ${DEFAULT-VALUE})")
    String decisions;

    @Option(names = "--features", paramLabel = "HOST:PORT",
            description = "feature-service, to pre-warm every series before measuring (default: none, no pre-warming)")
    String features;

    @Option(names = "--prewarm", paramLabel = "N", defaultValue = "64",
            description = "observations per series ingested into feature-service first, so every series' feature windows "
                    + "are full and decisions go through the models (default ${DEFAULT-VALUE}; needs --features)")
    int prewarm;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "1000",
            description = "Decide and floor requests per second (default ${DEFAULT-VALUE})")
    long rate;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "30",
            description = "length of the floor and of the Decide phase (default ${DEFAULT-VALUE})")
    double duration;

    @Option(names = "--floor-duration", paramLabel = "SECONDS",
            description = "length of the floor alone (default: --duration; bench/soak.sh keeps it short)")
    Double floorDuration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "10",
            description = "Decide at the rate before anything is recorded (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--series", paramLabel = "N", defaultValue = "1000",
            description = "series ids; request i goes to series i mod N (default ${DEFAULT-VALUE})")
    int series;

    @Option(names = "--budget-ms", paramLabel = "MS", defaultValue = "0",
            description = "DecideRequest.latency_budget_ms; 0 = the service's default (default ${DEFAULT-VALUE})")
    int budgetMs;

    @Option(names = "--stream-rates", paramLabel = "N", split = ",", defaultValue = "250,500,1000,2000,4000,8000",
            description = "offered rates to try through DecideStream, in order (default ${DEFAULT-VALUE})")
    long[] streamRates;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "4",
            description = "concurrent DecideStream calls, fed together at the offered rate (default ${DEFAULT-VALUE})")
    int streams;

    @Option(names = "--window", paramLabel = "N", defaultValue = "8",
            description = "unanswered requests per stream before the next waits here; decision-service's "
                    + "arbiter.decision.stream-window (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--stream-step", paramLabel = "SECONDS", defaultValue = "10",
            description = "length of each DecideStream rate (default ${DEFAULT-VALUE})")
    double streamStep;

    @Option(names = "--max-p99-ms", paramLabel = "MS", defaultValue = "50",
            description = "a DecideStream rate with a higher p99 is not sustained (default ${DEFAULT-VALUE})")
    double maxP99Ms;

    @Option(names = "--drain", paramLabel = "SECONDS", defaultValue = "2",
            description = "wait for outstanding answers after each phase (default ${DEFAULT-VALUE})")
    double drain;

    @Option(names = "--series-prefix", paramLabel = "TEXT",
            description = "series ids are PREFIX0, PREFIX1, ...; default load-RUNID-, so a rerun does not meet earlier timestamps")
    String seriesPrefix;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "seed of the random walks (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "also write the results as a Markdown section")
    Path out;

    @Option(names = "--target-p50-ms", paramLabel = "MS", defaultValue = "1", description = "Decide p50 target (default ${DEFAULT-VALUE})")
    double targetP50Ms;

    @Option(names = "--target-p99-ms", paramLabel = "MS", defaultValue = "5", description = "Decide p99 target (default ${DEFAULT-VALUE})")
    double targetP99Ms;

    @Option(names = "--target-floor-ratio", paramLabel = "X", defaultValue = "4",
            description = "Decide p50 target, as a multiple of the floor's p50 (default ${DEFAULT-VALUE})")
    double targetFloorRatio;

    @Option(names = "--invoked-as", hidden = true, description = "the command line to record, when a script runs this")
    String invokedAs;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** A later option wins over an earlier one, so bench/load.sh's defaults can be overridden by its arguments. */
    static CommandLine commandLine() {
        return new CommandLine(new LoadGenerator()).setOverwrittenOptionsAllowed(true);
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
        int colon = decisions.lastIndexOf(':');
        int port = colon > 0 ? parsePort(decisions.substring(colon + 1)) : -1;
        check(port > 0 && port < 65536, "--decisions is \"" + decisions + "\"; give HOST:PORT, e.g. 127.0.0.1:9103");
        check(rate > 0 && duration > 0 && streamStep > 0 && warmup >= 0 && drain >= 0,
                "--rate, --duration and --stream-step must be positive, --warmup and --drain at least 0");
        check(series > 0 && streams > 0 && window > 0 && budgetMs >= 0,
                "--series, --streams and --window must be positive, --budget-ms at least 0");
        check(Arrays.stream(streamRates).allMatch(r -> r > 0), "--stream-rates must all be positive");
        check(OpenLoop.requests(rate, Math.max(duration, warmup)) <= Integer.MAX_VALUE
                && Arrays.stream(streamRates).allMatch(r -> OpenLoop.requests(r, streamStep) <= Integer.MAX_VALUE),
                "a phase of more than 2^31 requests: lower the rates or the durations");

        String loadAtStart = Report.loadAverage();
        ManagedChannel channel = NettyChannelBuilder.forAddress(decisions.substring(0, colon), port)
                .usePlaintext()
                .directExecutor() // answers are only counted and recorded: no need for a hop to another thread
                .build();
        try {
            if (!serving(channel)) {
                return NOT_ANSWERING;
            }
            System.err.printf(Locale.ROOT, "decision-service at %s is serving: %s s of warm-up, %s s of floor, %s s of Decide at"
                    + " %d/s, then DecideStream steps of %s s%n", decisions, Report.number(warmup), Report.number(floorSeconds()),
                    Report.number(duration), rate, Report.number(streamStep));
            String prefix = seriesPrefix != null ? seriesPrefix : "load-" + Long.toString(Instant.now().getEpochSecond(), 36) + "-";
            long startTsMicros = Instant.now().truncatedTo(ChronoUnit.MINUTES).toEpochMilli() * 1_000;
            Observations observations = new Observations(prefix, series, seed, startTsMicros);
            if (features != null && prewarm > 0) {
                prewarm(observations);
            }
            OpenLoop loop = new OpenLoop(OpenLoop.Clock.SYSTEM, Duration.ofNanos((long) (drain * 1e9)));
            OpenLoop.Fire decide = UnaryCalls.decide(channel, observations, budgetMs);

            progress(loop.run("warm-up", rate, warmup, decide));
            Result floor = progress(loop.run("floor (Health/Check)", rate, floorSeconds(), UnaryCalls.health(channel)));
            Result decided = progress(loop.run("Decide", rate, duration, decide));
            List<Result> ladder = new ArrayList<>();
            for (long offered : streamRates) {
                try (DecideStreams fire = new DecideStreams(channel, streams, window, observations, budgetMs)) {
                    ladder.add(progress(loop.run("DecideStream " + offered + "/s", offered, streamStep, fire)));
                }
                if (ladder.get(ladder.size() - 1).shortfall(SUSTAINED_ANSWERED_SHARE, maxP99Ms) != null) {
                    break;
                }
            }

            Report report = Report.of(this, floor, decided, ladder);
            System.out.println();
            System.out.print(report.plain());
            if (out != null) {
                report.write(out, invocation(), loadAtStart, Report.loadAverage());
                System.err.println("wrote " + out);
            }
            return 0;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Ingests the first {@code prewarm} observations of every series into feature-service. */
    private void prewarm(Observations observations) throws InterruptedException {
        int colon = features.lastIndexOf(':');
        int port = colon > 0 ? parsePort(features.substring(colon + 1)) : -1;
        check(port > 0 && port < 65536, "--features is \"" + features + "\"; give HOST:PORT, e.g. 127.0.0.1:9101");
        ManagedChannel channel = NettyChannelBuilder.forAddress(features.substring(0, colon), port).usePlaintext().build();
        try {
            long start = System.nanoTime();
            long refused = Prewarm.run(channel, observations, (long) prewarm * series);
            System.err.printf(Locale.ROOT, "pre-warmed %d series with %d observations each in %.1f s (%d refused)%n", series,
                    prewarm, (System.nanoTime() - start) / 1e9, refused);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** One health call with a 5 s deadline: is there a decision-service to load? */
    private boolean serving(ManagedChannel channel) {
        String problem;
        try {
            ServingStatus status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
            if (status == ServingStatus.SERVING) {
                return true;
            }
            problem = "answers " + status;
        } catch (StatusRuntimeException e) {
            problem = "does not answer (" + e.getStatus().getCode() + ": " + e.getStatus().getDescription() + ")";
        }
        System.err.println("decision-service at " + decisions + " " + problem
                + "; start it with ./arbiter demo --keep-running or see bench/README.md");
        return false;
    }

    private static Result progress(Result r) {
        System.err.printf(Locale.ROOT, "%s: %d sent, %d answered, %d errors, p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                r.name(), r.sent(), r.answered(), r.errorCount(), r.ms(50), r.ms(99), r.maxMs());
        return r;
    }

    /** The command line to record with the results. */
    private String invocation() {
        return invokedAs != null ? invokedAs
                : "java -cp bench/target/benchmarks.jar " + LoadGenerator.class.getName() + " "
                        + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private static int parsePort(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    double floorSeconds() {
        return floorDuration != null ? floorDuration : duration;
    }
}
