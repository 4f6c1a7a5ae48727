package dev.arbiter.engine.experiment;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * The readout of an A/B test between a control (arm 0, "A") and a treatment (arm 1, "B") whose series were assigned by
 * {@link Assignment}, safe to look at as often as one likes.
 *
 * <p><b>Blocks.</b> Outcomes arrive aggregated into blocks, one per series and day: a series' returns are
 * autocorrelated within a day, so single decisions are not independent, while blocks are treated as independent
 * values. That holds when a series' daily pnl has no lasting edge of its own; with a few series of very different
 * edges, the arms differ by which series they drew, and only more series fix that.
 *
 * <p><b>Intervals.</b> Each arm keeps an always-valid {@link ConfidenceSequence} per metric at alpha/2; the interval of
 * the difference B - A is [lower B - upper A, upper B - lower A], so it covers the true difference at every look at
 * once with probability at least 1 - alpha (a union bound: wider than a dedicated two-sample sequence, and valid with
 * arms of any size). Metrics per block: pnl (the block's sum), false-positive rate (false positives / acted, blocks
 * that acted), hit rate (hits / predictions, blocks with predictions).
 *
 * <p><b>The decision rule, fixed before the experiment starts</b> ({@link #RULE}), applied at every look in this order:
 * <ol>
 *   <li>fewer than {@code minBlocksPerArm} blocks in an arm: CONTINUE (too early to read anything);</li>
 *   <li>sample-ratio mismatch (chi-square of the series per arm against the configured shares, p &lt; srmAlpha):
 *       SAMPLE_RATIO_MISMATCH, the assignment or the logging is broken and nothing else is read;</li>
 *   <li>a guardrail breached: B's false-positive rate higher than A's by more than {@code fprMargin} (the interval's
 *       lower end above it), or B's drawdown deeper than A's by more than {@code drawdownSigmas} standard deviations of
 *       the cumulated daily mean pnl per block (the drawdowns are of that cumulated pnl; its standard deviation is a
 *       random walk's, from the blocks' variance; calibrated by simulation rather than an exact test):
 *       STOP_GUARDRAIL;</li>
 *   <li>the pnl difference's interval entirely below 0: B_WORSE;</li>
 *   <li>entirely above 0: B_BETTER (ship B);</li>
 *   <li>otherwise CONTINUE.</li>
 * </ol>
 */
public final class AbTest {

    /** The rule above, in one line for readouts. */
    public static final String RULE = "per block of one series and day; at each look, after minBlocksPerArm blocks per arm:"
            + " sample-ratio mismatch (chi-square p < srmAlpha) -> invalid; B's false-positive rate above A's by more than"
            + " fprMargin (always-valid interval) or B's drawdown deeper than A's by drawdownSigmas x sd(cumulated daily mean pnl) -> stop; pnl difference's"
            + " always-valid interval below 0 -> B worse, above 0 -> B better; else continue";

    /**
     * @param alpha error allowed over all looks together, for each metric's interval of the difference
     * @param tightestAtBlocks blocks per arm at which the intervals are narrowest (the expected size of the experiment)
     * @param minBlocksPerArm no verdict before each arm has this many blocks
     * @param srmAlpha significance of the sample-ratio-mismatch check
     * @param fprMargin largest tolerated rise of the false-positive rate, absolute (0.05 = 5 points)
     * @param drawdownSigmas how much deeper B's drawdown may be than A's, in standard deviations of the cumulated daily
     *        mean pnl per block
     * @param shareA share of series assigned to A
     * @param shareB share of series assigned to B
     */
    public record Config(double alpha, double tightestAtBlocks, int minBlocksPerArm, double srmAlpha, double fprMargin,
                         double drawdownSigmas, double shareA, double shareB) {

        public Config {
            if (!(alpha > 0 && alpha < 1) || !(srmAlpha > 0 && srmAlpha < 1)) {
                throw new IllegalArgumentException("alpha and srmAlpha must be in (0, 1)");
            }
            if (!(tightestAtBlocks >= 1) || minBlocksPerArm < ConfidenceSequence.MIN_VALUES) {
                throw new IllegalArgumentException("tightestAtBlocks must be >= 1 and minBlocksPerArm >= " + ConfidenceSequence.MIN_VALUES);
            }
            if (!(fprMargin >= 0) || !(drawdownSigmas > 0)) {
                throw new IllegalArgumentException("fprMargin must be >= 0 and drawdownSigmas > 0");
            }
            if (!(shareA > 0) || !(shareB > 0) || !(shareA + shareB <= 1 + 1e-9)) {
                throw new IllegalArgumentException("shareA and shareB must be positive and sum to at most 1");
            }
        }

        /** {@link #RULE} with this configuration's values in place of the setting names. */
        public String rule() {
            return RULE.replace("minBlocksPerArm", Integer.toString(minBlocksPerArm))
                    .replace("srmAlpha", fmt(srmAlpha))
                    .replace("fprMargin", fmt(fprMargin))
                    .replace("drawdownSigmas", fmt(drawdownSigmas))
                    .replace("always-valid interval", "always-valid interval at alpha " + fmt(alpha));
        }

        private static String fmt(double v) {
            return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        }

        /** alpha 0.05, intervals narrowest at 1,000 blocks per arm, a verdict from 30 blocks per arm, SRM at 0.001,
         * false-positive rate up at most 5 points, drawdown at most 3 sigmas deeper than A's. */
        public static Config defaults(double shareA, double shareB) {
            return new Config(0.05, 1000, 30, 0.001, 0.05, 3, shareA, shareB);
        }
    }

    /** One series' outcomes over one day, in one arm. */
    public record Block(String seriesId, int arm, long day, double pnl, int acted, int falsePositives, int predicted, int hits) {

        public Block {
            if (arm != 0 && arm != 1) {
                throw new IllegalArgumentException("arm is 0 (A) or 1 (B), was " + arm);
            }
            if (acted < 0 || falsePositives < 0 || falsePositives > acted || predicted < 0 || hits < 0 || hits > predicted) {
                throw new IllegalArgumentException("counts must satisfy 0 <= falsePositives <= acted and 0 <= hits <= predicted");
            }
        }
    }

    public enum Verdict { CONTINUE, SAMPLE_RATIO_MISMATCH, STOP_GUARDRAIL, B_WORSE, B_BETTER }

    /** One arm: its series and blocks, the metrics' means, its drawdown. */
    public record ArmReadout(int series, long blocks, double pnlPerBlock, double falsePositiveRate, double hitRate, double maxDrawdown) {}

    /** The difference B - A of one metric and its always-valid interval (infinite before two blocks per arm). */
    public record Difference(double estimate, double lower, double upper) {

        boolean below(double x) {
            return upper < x;
        }

        boolean above(double x) {
            return lower > x;
        }
    }

    public record Readout(ArmReadout a, ArmReadout b, Difference pnl, Difference falsePositiveRate, Difference hitRate,
                          double srmPValue, boolean fprGuardrail, boolean drawdownGuardrail, Verdict verdict) {}

    private final Config config;
    private final Arm[] arms;
    /** Series per arm as counted by the caller (every series that decided, outcomes or not); null: the blocks' series. */
    private int[] seriesSeen;

    public AbTest(Config config) {
        this.config = config;
        this.arms = new Arm[] {new Arm(config), new Arm(config)};
    }

    public Config config() {
        return config;
    }

    public void add(Block block) {
        arms[block.arm()].add(block);
    }

    /**
     * The series assigned to each arm as the caller counts them, for the sample-ratio check: every series that decided
     * in the arm, whether or not its outcomes arrived (by default, the series of the blocks added).
     */
    public void seriesSeen(int seriesA, int seriesB) {
        if (seriesA < 0 || seriesB < 0) {
            throw new IllegalArgumentException("series counts are not negative");
        }
        this.seriesSeen = new int[] {seriesA, seriesB};
    }

    /** The readout as of the blocks added so far. */
    public Readout readout() {
        Arm a = arms[0];
        Arm b = arms[1];
        Difference pnl = difference(a.pnl, b.pnl);
        Difference fpr = difference(a.fpr, b.fpr);
        Difference hit = difference(a.hit, b.hit);
        int seriesA = seriesSeen == null ? a.series.size() : seriesSeen[0];
        int seriesB = seriesSeen == null ? b.series.size() : seriesSeen[1];
        double srm = srmPValue(seriesA, seriesB);
        double ddA = a.maxDrawdown();
        double ddB = b.maxDrawdown();
        boolean fprGuard = fpr.above(config.fprMargin());
        boolean ddGuard = ddB - ddA > config.drawdownSigmas() * drawdownScale(a, b);
        Verdict verdict;
        if (a.pnl.count() < config.minBlocksPerArm() || b.pnl.count() < config.minBlocksPerArm()) {
            verdict = Verdict.CONTINUE;
        } else if (srm < config.srmAlpha()) {
            verdict = Verdict.SAMPLE_RATIO_MISMATCH;
        } else if (fprGuard || ddGuard) {
            verdict = Verdict.STOP_GUARDRAIL;
        } else if (pnl.below(0)) {
            verdict = Verdict.B_WORSE;
        } else if (pnl.above(0)) {
            verdict = Verdict.B_BETTER;
        } else {
            verdict = Verdict.CONTINUE;
        }
        return new Readout(a.readout(seriesA), b.readout(seriesB), pnl, fpr, hit, srm, fprGuard, ddGuard, verdict);
    }

    /**
     * The standard deviation of an arm's cumulated daily mean pnl per block, the larger of the two arms': blocks being
     * independent, a day's mean of m blocks has variance sd(block)^2 / m, and the cumulated sum over the days the sum
     * of those (a random walk's scale, which its drawdown shares). Estimated from every block, not from the few days.
     * An arm without variance (fewer than two blocks, or one that never acts) gives none; with neither, infinite.
     */
    private static double drawdownScale(Arm a, Arm b) {
        double scale = 0;
        for (Arm arm : new Arm[] {a, b}) {
            double sd = arm.pnl.standardDeviation();
            if (!(sd > 0)) {
                continue;
            }
            double inverseBlocks = 0;
            for (double[] day : arm.days.values()) {
                inverseBlocks += 1 / day[1];
            }
            scale = Math.max(scale, sd * Math.sqrt(inverseBlocks));
        }
        return scale > 0 ? scale : Double.POSITIVE_INFINITY;
    }

    private static Difference difference(ConfidenceSequence a, ConfidenceSequence b) {
        return new Difference(b.mean() - a.mean(), b.lower() - a.upper(), b.upper() - a.lower());
    }

    /** Chi-square goodness of fit of the series per arm against the configured shares; 1 with no series. */
    double srmPValue(int seriesA, int seriesB) {
        if (seriesA + seriesB == 0) {
            return 1;
        }
        return new ChiSquareTest().chiSquareTest(new double[] {config.shareA(), config.shareB()}, new long[] {seriesA, seriesB});
    }

    private static final class Arm {
        final ConfidenceSequence pnl;
        final ConfidenceSequence fpr;
        final ConfidenceSequence hit;
        final Set<String> series = new HashSet<>();
        /** Per day: the sum of the blocks' pnl and their number. */
        final Map<Long, double[]> days = new TreeMap<>();

        Arm(Config c) {
            double half = c.alpha() / 2;
            pnl = new ConfidenceSequence(half, c.tightestAtBlocks());
            fpr = new ConfidenceSequence(half, c.tightestAtBlocks());
            hit = new ConfidenceSequence(half, c.tightestAtBlocks());
        }

        void add(Block block) {
            pnl.add(block.pnl());
            if (block.acted() > 0) {
                fpr.add((double) block.falsePositives() / block.acted());
            }
            if (block.predicted() > 0) {
                hit.add((double) block.hits() / block.predicted());
            }
            series.add(block.seriesId());
            double[] day = days.computeIfAbsent(block.day(), d -> new double[2]);
            day[0] += block.pnl();
            day[1]++;
        }

        /** The largest fall of the cumulated daily mean pnl per block from its running peak. */
        double maxDrawdown() {
            double cumulative = 0;
            double peak = 0;
            double worst = 0;
            for (double[] day : days.values()) {
                cumulative += day[0] / day[1];
                peak = Math.max(peak, cumulative);
                worst = Math.max(worst, peak - cumulative);
            }
            return worst;
        }

        ArmReadout readout(int seriesCount) {
            return new ArmReadout(seriesCount, pnl.count(), pnl.mean(), fpr.mean(), hit.mean(), maxDrawdown());
        }
    }
}
