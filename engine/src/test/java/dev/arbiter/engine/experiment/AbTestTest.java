package dev.arbiter.engine.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.experiment.AbTest.Block;
import dev.arbiter.engine.experiment.AbTest.Config;
import dev.arbiter.engine.experiment.AbTest.Readout;
import dev.arbiter.engine.experiment.AbTest.Verdict;
import java.util.Random;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * The A/B readout's error rates, checked by simulation on data with a known effect: series of autocorrelated returns
 * (AR(1) within a day, a volatility of their own), assigned by a salted hash, outcomes in blocks of one series and day,
 * the readout looked at after every day. The numbers measured here are written in decision-service/README.md ("A/B
 * readouts").
 */
class AbTestTest {

    static final int SERIES = 200;
    static final int DAYS = 40;
    static final int DECISIONS_PER_DAY = 20;
    static final int EXPERIMENTS = 300;

    /** What one simulated experiment did: the verdict it stopped on (CONTINUE if none), and whether a naive look rejected. */
    record Run(Verdict verdict, int stoppedOnDay, boolean naiveRejected) {}

    /**
     * One experiment: B adds {@code effect} to every block's pnl and {@code fprRise} to its false-positive probability.
     * The readout is looked at after every day; the first verdict other than CONTINUE ends it. Alongside, the naive
     * reading a peeking analyst would make: a fixed-sample z-test of the pnl difference at alpha after every day.
     */
    static Run experiment(long seed, double effect, double fprRise, double shareB) {
        Random random = new Random(seed);
        String salt = "experiment-" + seed;
        int[] arm = new int[SERIES];
        double[] volatility = new double[SERIES];
        for (int s = 0; s < SERIES; s++) {
            arm[s] = Assignment.arm(salt, "series-" + s, new double[] {1 - shareB, shareB}) == 1 ? 1 : 0;
            volatility[s] = 0.01 * Math.exp(0.3 * random.nextGaussian());
        }
        AbTest test = new AbTest(Config.defaults(1 - shareB, shareB));
        double[][] sums = new double[2][3]; // per arm: n, sum, sum of squares (the naive test's)
        boolean naive = false;
        double z = new NormalDistribution().inverseCumulativeProbability(1 - test.config().alpha() / 2);
        for (int day = 0; day < DAYS; day++) {
            for (int s = 0; s < SERIES; s++) {
                int a = arm[s];
                double r = 0;
                double pnl = 0;
                int falsePositives = 0;
                int hits = 0;
                for (int i = 0; i < DECISIONS_PER_DAY; i++) {
                    r = 0.3 * r + volatility[s] * random.nextGaussian();
                    pnl += r;
                    if (random.nextDouble() < 0.45 + (a == 1 ? fprRise : 0)) {
                        falsePositives++;
                    }
                    if (random.nextDouble() < 0.52) {
                        hits++;
                    }
                }
                pnl += a == 1 ? effect : 0;
                test.add(new Block("series-" + s, a, day, pnl, DECISIONS_PER_DAY, falsePositives, DECISIONS_PER_DAY, hits));
                sums[a][0]++;
                sums[a][1] += pnl;
                sums[a][2] += pnl * pnl;
            }
            Readout readout = test.readout();
            if (!naive && sums[0][0] > 1 && sums[1][0] > 1) {
                double se = Math.sqrt(variance(sums[0]) / sums[0][0] + variance(sums[1]) / sums[1][0]);
                naive = Math.abs(sums[1][1] / sums[1][0] - sums[0][1] / sums[0][0]) > z * se;
            }
            if (readout.verdict() != Verdict.CONTINUE) {
                return new Run(readout.verdict(), day, naive);
            }
        }
        return new Run(Verdict.CONTINUE, DAYS, naive);
    }

    static double variance(double[] s) {
        return (s[2] - s[1] * s[1] / s[0]) / (s[0] - 1);
    }

    static double share(Run[] runs, java.util.function.Predicate<Run> p) {
        return java.util.Arrays.stream(runs).filter(p).count() / (double) runs.length;
    }

    static java.util.Map<Verdict, Long> verdicts(Run[] runs) {
        return java.util.Arrays.stream(runs).collect(java.util.stream.Collectors.groupingBy(Run::verdict, java.util.TreeMap::new,
                java.util.stream.Collectors.counting()));
    }

    static Run[] experiments(long firstSeed, double effect, double fprRise, double shareB) {
        Run[] runs = new Run[EXPERIMENTS];
        for (int i = 0; i < EXPERIMENTS; i++) {
            runs[i] = experiment(firstSeed + i, effect, fprRise, shareB);
        }
        return runs;
    }

    @Test
    void theRuleIsStatedWithItsValues() {
        String rule = Config.defaults(0.5, 0.5).rule();
        assertTrue(rule.startsWith("per block of one series and day; at each look, after 30 blocks per arm:"), rule);
        assertTrue(rule.contains("chi-square p < 0.001") && rule.contains("by more than 0.05 (always-valid interval at alpha 0.05)")
                && rule.contains("by 3 x sd("), rule);
    }

    @Test
    void withNoEffectTheReadoutStaysBelowAlphaUnderALookEveryDayWhereANaiveLookDoesNot() {
        Run[] runs = experiments(1_000, 0, 0, 0.5);
        double falsePositive = share(runs, r -> r.verdict() == Verdict.B_BETTER || r.verdict() == Verdict.B_WORSE);
        double naive = share(runs, Run::naiveRejected);
        double anyStop = share(runs, r -> r.verdict() != Verdict.CONTINUE);
        System.out.printf("A/A, %d experiments, %d looks: always-valid false positives %.4f, any stop %.4f %s, naive peeking %.4f%n",
                EXPERIMENTS, DAYS, falsePositive, anyStop, verdicts(runs), naive);
        assertTrue(falsePositive <= 0.05, "the false-positive rate under repeated looks is at most alpha: " + falsePositive);
        assertTrue(anyStop <= 0.05, "guardrails and SRM do not stop an A/A test more than alpha either: " + anyStop);
        // the same looks at a fixed-sample test: the inflation the confidence sequence exists to prevent
        assertTrue(naive > 0.10, "a naive z-test after every day rejects far more often than alpha: " + naive);
    }

    @Test
    void aRealEffectIsFoundWithTheStatedPower() {
        // 0.010 of pnl per block is 0.15 of a block's standard deviation (about 0.066)
        Run[] runs = experiments(2_000, 0.010, 0, 0.5);
        double power = share(runs, r -> r.verdict() == Verdict.B_BETTER);
        double wrong = share(runs, r -> r.verdict() == Verdict.B_WORSE);
        double medianDay = java.util.Arrays.stream(runs).filter(r -> r.verdict() == Verdict.B_BETTER).mapToInt(Run::stoppedOnDay).sorted()
                .skip((long) (power * EXPERIMENTS / 2)).findFirst().orElse(-1);
        System.out.printf("effect 0.010 per block, %d experiments: B_BETTER %.4f (median day %.0f), B_WORSE %.4f%n", EXPERIMENTS, power, medianDay, wrong);
        assertTrue(power >= 0.80, "power at this effect: " + power);
        assertEquals(0, wrong, 0.0, "never the wrong sign");
    }

    @Test
    void aRiseInFalsePositivesStopsTheTestOnTheGuardrail() {
        // B's decisions are wrong 10 points more often; its pnl is no different
        Run[] runs = experiments(3_000, 0, 0.10, 0.5);
        double stopped = share(runs, r -> r.verdict() == Verdict.STOP_GUARDRAIL);
        System.out.printf("false positives up 10 points: STOP_GUARDRAIL %.4f%n", stopped);
        assertTrue(stopped >= 0.95, "the guardrail stops the test: " + stopped);
    }

    @Test
    void aDeepFallOfBStopsTheTestOnTheDrawdownGuardrailBeforeItsMeanIsReadAsWorse() {
        AbTest test = new AbTest(Config.defaults(0.5, 0.5));
        Random random = new Random(8);
        Readout last = null;
        for (int day = 0; day < 8; day++) {
            for (int s = 0; s < 200; s++) {
                int arm = s % 2;
                double pnl = 0.066 * random.nextGaussian() + (arm == 1 && day == 6 ? -0.1 : 0);
                test.add(new Block("s" + s, arm, day, pnl, 1, 0, 1, 1));
            }
            last = test.readout();
            if (day < 6) {
                assertEquals(Verdict.CONTINUE, last.verdict(), "day " + day);
            }
        }
        assertTrue(last.drawdownGuardrail(), "B fell " + last.b().maxDrawdown() + ", A " + last.a().maxDrawdown());
        assertTrue(!last.pnl().below(0), "the mean alone does not yet say B is worse: " + last.pnl());
        assertEquals(Verdict.STOP_GUARDRAIL, last.verdict());
    }

    @Test
    void aBrokenSplitIsASampleRatioMismatchAndNothingElseIsRead() {
        AbTest test = new AbTest(Config.defaults(0.5, 0.5));
        Random random = new Random(4);
        // the assignment gave B three series in four (a bug, or B's series dropped from A's logging)
        for (int s = 0; s < 400; s++) {
            int arm = s % 4 == 0 ? 0 : 1;
            test.add(new Block("s" + s, arm, 0, 0.05 + random.nextGaussian() * 0.01, 1, 0, 1, 1));
        }
        Readout r = test.readout();
        assertTrue(r.srmPValue() < 1e-6, "p " + r.srmPValue());
        assertEquals(Verdict.SAMPLE_RATIO_MISMATCH, r.verdict());
        assertEquals(100, r.a().series());
        assertEquals(300, r.b().series());
    }

    @Test
    void theSaltMovesSeriesBetweenArmsAndKeepsTheShares() {
        int same = 0;
        int inB = 0;
        for (int s = 0; s < 10_000; s++) {
            int first = Assignment.arm("exp-1", "series-" + s, new double[] {0.5, 0.5});
            int second = Assignment.arm("exp-2", "series-" + s, new double[] {0.5, 0.5});
            assertEquals(first, Assignment.arm("exp-1", "series-" + s, new double[] {0.5, 0.5}), "stable within an experiment");
            same += first == second ? 1 : 0;
            inB += first;
        }
        assertEquals(0.5, same / 10_000.0, 0.02, "two experiments' arms are unrelated");
        assertEquals(0.5, inB / 10_000.0, 0.02, "the shares hold");
        assertEquals(-1, Assignment.arm("exp", "x", new double[] {0, 0}), "no arm when the shares leave it out");
        // the empty salt is the assignment of variants set before salts: SHA-256 of the series id alone
        byte[] d;
        try {
            d = java.security.MessageDigest.getInstance("SHA-256").digest("series-7".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        assertEquals((java.nio.ByteBuffer.wrap(d).getLong() >>> 11) * 0x1.0p-53, Assignment.unit("", "series-7"), 0.0);
    }

    @Test
    void theIntervalIsInfiniteUntilTwoValuesThenShrinksLikeTheSquareRootOfTheCountTimesALog() {
        ConfidenceSequence cs = new ConfidenceSequence(0.05, 100);
        assertEquals(Double.NEGATIVE_INFINITY, cs.lower());
        cs.add(1);
        assertEquals(Double.POSITIVE_INFINITY, cs.upper());
        Random random = new Random(9);
        for (int i = 0; i < 99; i++) {
            cs.add(random.nextGaussian());
        }
        double at100 = cs.halfWidth();
        // narrowest near the 100 it was tuned for: wider than the fixed-sample 1.96 s / sqrt(n) but by less than 2.5x
        double fixed = 1.96 * cs.standardDeviation() / 10;
        assertTrue(at100 > fixed && at100 < 2.5 * fixed, at100 + " against " + fixed);
        for (int i = 0; i < 9_900; i++) {
            cs.add(random.nextGaussian());
        }
        assertTrue(cs.halfWidth() < at100 / 7, "100x the values: " + cs.halfWidth() + " against " + at100);
        assertThrows(IllegalArgumentException.class, () -> cs.add(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ConfidenceSequence(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Block("s", 2, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Block("s", 0, 0, 0, 1, 2, 0, 0));
    }
}
