package dev.arbiter.optimizer.backtest;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;

import dev.arbiter.engine.stats.BlockBootstrap;
import dev.arbiter.optimizer.config.BacktestConfig;
import dev.arbiter.proto.v1.BacktestReport;
import dev.arbiter.proto.v1.BootstrapDistribution;
import dev.arbiter.proto.v1.PercentileValue;
import dev.arbiter.proto.v1.RunStressTestRequest;
import dev.arbiter.proto.v1.StressReport;
import dev.arbiter.proto.v1.StressTestConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Monte Carlo stress tests (RunStressTest): a stationary block bootstrap of a stored backtest's per-decision pnl
 * into distributions of pnl, Sharpe ratio and maximum drawdown, with percentile bands.
 */
@ApplicationScoped
public class StressService {

    private final ReportStore reports;
    private final BacktestConfig config;

    public StressService(ReportStore reports, BacktestConfig config) {
        this.reports = reports;
        this.config = config;
    }

    public StressReport run(RunStressTestRequest request) {
        long started = System.currentTimeMillis();
        String id = request.getBacktestReportId();
        if (id.isBlank()) {
            throw invalid("backtest_report_id", "backtest_report_id is empty; pass the report_id a RunBacktest answered");
        }
        StressTestConfig asked = request.getConfig();
        double blockLength = asked.getMeanBlockLengthDecisions() == 0 ? config.defaultMeanBlockLength()
                : asked.getMeanBlockLengthDecisions();
        if (!(blockLength >= 1) || !Double.isFinite(blockLength)) {
            throw invalid("config.mean_block_length_decisions", "config.mean_block_length_decisions is " + blockLength
                    + "; give a mean block length of at least 1 decision, or 0 for the default "
                    + config.defaultMeanBlockLength());
        }
        int resamples = asked.getResamples() == 0 ? config.defaultResamples() : asked.getResamples();
        if (resamples < 1 || resamples > config.maxResamples()) {
            throw invalid("config.resamples", "config.resamples is " + Integer.toUnsignedString(asked.getResamples())
                    + "; give 1 to " + config.maxResamples() + ", or 0 for the default " + config.defaultResamples());
        }
        List<Double> percentiles = asked.getPercentilesCount() == 0 ? config.defaultPercentiles() : asked.getPercentilesList();
        for (int i = 0; i < percentiles.size(); i++) {
            double p = percentiles.get(i);
            if (!(p >= 0 && p <= 100)) {
                throw invalid("config.percentiles[" + i + "]", "config.percentiles[" + i + "] is " + p
                        + "; percentiles lie in [0, 100]");
            }
        }
        BacktestReport backtest = reports.backtest(id).orElseThrow(() -> notFound("backtest_report_id",
                "backtest_report_id \"" + id + "\" names no backtest report; list them with ListReports"));
        double[] pnl = reports.decisionPnl(id).orElseThrow();
        if (pnl.length == 0) {
            throw invalid("backtest_report_id", "backtest_report_id \"" + id + "\": that backtest made no decisions to resample");
        }
        double[] matrix = BlockBootstrap.resample(pnl, blockLength, resamples, asked.getSeed());
        List<Double> sorted = percentiles.stream().sorted().toList();
        StressReport.Builder report = StressReport.newBuilder()
                .setReportId(UUID.randomUUID().toString())
                .setBacktestReportId(id)
                .setConfig(StressTestConfig.newBuilder().setMeanBlockLengthDecisions(blockLength).setResamples(resamples)
                        .setSeed(asked.getSeed()).addAllPercentiles(sorted));
        report.addDistributions(distribution("pnl", backtest.getTotal().getPnl(), matrix, BlockBootstrap.PNL, sorted));
        report.addDistributions(distribution("sharpe", backtest.getTotal().getSharpe(), matrix, BlockBootstrap.SHARPE,
                sorted));
        report.addDistributions(distribution("max_drawdown", backtest.getTotal().getMaxDrawdown(), matrix,
                BlockBootstrap.MAX_DRAWDOWN, sorted));
        int losses = 0;
        for (int b = 0; b < resamples; b++) {
            losses += matrix[b * BlockBootstrap.STATISTICS + BlockBootstrap.PNL] < 0 ? 1 : 0;
        }
        report.setProbabilityOfLoss((double) losses / resamples)
                .setCreatedTsMicros(System.currentTimeMillis() * 1000)
                .setDurationMs(System.currentTimeMillis() - started);
        StressReport done = report.build();
        reports.saveStress(done, backtest.getSpec().getName());
        return done;
    }

    private static BootstrapDistribution distribution(String metric, double observed, double[] matrix, int statistic,
                                                      List<Double> percentiles) {
        double[] values = BlockBootstrap.sortedColumn(matrix, statistic);
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= values.length;
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        List<PercentileValue> bands = new ArrayList<>();
        for (double p : percentiles) {
            bands.add(PercentileValue.newBuilder().setPercentile(p).setValue(BlockBootstrap.percentile(values, p)).build());
        }
        return BootstrapDistribution.newBuilder()
                .setMetric(metric)
                .setObserved(observed)
                .setMean(mean)
                .setStdDev(values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0)
                .addAllPercentiles(bands)
                .build();
    }
}
