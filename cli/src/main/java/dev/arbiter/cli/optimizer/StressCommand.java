package dev.arbiter.cli.optimizer;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.options.Checks;
import dev.arbiter.proto.v1.RunStressTestRequest;
import dev.arbiter.proto.v1.StressReport;
import dev.arbiter.proto.v1.StressTestConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code arbiter stress}: a Monte Carlo stress test of a stored backtest, printed as percentile bands. */
@Command(name = "stress", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Monte Carlo stress test of a stored backtest.", sortOptions = false,
        description = {"A stationary block bootstrap of the backtest's per-decision pnl (optimizer-service), printed as "
                + "percentile bands of pnl, sharpe and max drawdown.",
                "Example: arbiter stress --report 0b5c... --resamples 1000 --block 20 --seed 1"})
public class StressCommand extends CliCommand {

    @Option(names = "--report", required = true, paramLabel = "ID", description = "The backtest report to resample.")
    String report;

    @Option(names = "--resamples", paramLabel = "N", defaultValue = "0",
            description = "Bootstrap resamples (default: the service's, 1000).")
    int resamples;

    @Option(names = "--block", paramLabel = "DECISIONS", defaultValue = "0",
            description = "Mean block length, in decisions (default: the service's).")
    double block;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--percentiles", split = ",", paramLabel = "P",
            description = "Percentile bands, e.g. 5,25,50,75,95 (default: the service's).")
    List<Double> percentiles = new ArrayList<>();

    RunStressTestRequest request() {
        Checks.notNegative("--resamples", resamples);
        return RunStressTestRequest.newBuilder().setBacktestReportId(report)
                .setConfig(StressTestConfig.newBuilder().setResamples(resamples).setMeanBlockLengthDecisions(block)
                        .setSeed(seed).addAllPercentiles(percentiles))
                .build();
    }

    @Override
    public Integer call() {
        RunStressTestRequest request = request();
        StressReport r = optimizer(s -> s.runStressTest(request));
        ReportPrinter.stress(r, out());
        return 0;
    }
}
