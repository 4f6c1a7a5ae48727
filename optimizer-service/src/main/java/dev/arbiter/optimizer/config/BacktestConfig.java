package dev.arbiter.optimizer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

/** Backtests and Monte Carlo stress tests. */
@ConfigMapping(prefix = "arbiter.optimizer.backtest")
public interface BacktestConfig {

    /** Most folds one backtest may run; asking for more (or for as many as fit, when more fit) is cut to the latest. */
    @WithDefault("50")
    int maxFolds();

    /** Members one backtest may train per fold. */
    @WithDefault("8")
    int maxMembers();

    /** Bootstrap resamples when a stress test does not say. */
    @WithDefault("1000")
    int defaultResamples();

    /** Most bootstrap resamples one stress test may ask for. */
    @WithDefault("100000")
    int maxResamples();

    /** Mean block length in decisions when a stress test does not say. */
    @WithDefault("10")
    double defaultMeanBlockLength();

    /** Percentile bands when a stress test does not say. */
    @WithDefault("5,25,50,75,95")
    List<Double> defaultPercentiles();
}
