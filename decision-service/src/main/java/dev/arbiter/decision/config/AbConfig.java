package dev.arbiter.decision.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The A/B readout's decision rule ({@code arbiter.decision.ab.*}; engine's AbTest). Fix them before an experiment starts. */
@ConfigMapping(prefix = "arbiter.decision.ab")
public interface AbConfig {

    /** Error allowed over all looks together, per metric's interval of the difference. */
    @WithDefault("0.05")
    double alpha();

    /** Blocks (series x day) per arm at which the intervals are narrowest: the experiment's expected size. */
    @WithDefault("1000")
    double tightestAtBlocks();

    /** No verdict before each arm has this many blocks. */
    @WithDefault("30")
    int minBlocksPerArm();

    /** Significance of the sample-ratio-mismatch check. */
    @WithDefault("0.001")
    double srmAlpha();

    /** Largest tolerated rise of the false-positive rate (absolute: 0.05 is 5 points). */
    @WithDefault("0.05")
    double fprMargin();

    /** How much deeper B's drawdown may be than A's, in standard deviations of the cumulated daily mean pnl per block. */
    @WithDefault("3")
    double drawdownSigmas();
}
