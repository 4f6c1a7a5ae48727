package dev.arbiter.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The engine-to-ta4j throughput ratio of {@link FeatureUpdateBenchmark}, measured as pairs of short rounds that
 * alternate in one process: one round of the engine (65,536 observations), one of ta4j (1,024 new bars), their
 * order swapped from pair to pair. Each pair gives one ratio (ta4j's time per bar over the engine's time per
 * observation), and the median over the pairs is the answer.
 *
 * <p>Why beside JMH: on a shared machine whose speed changes from one second to the next (the build machines here
 * swing between two speeds), JMH's two benchmarks run tens of seconds apart and their ratio moves with the machine;
 * two rounds a few milliseconds apart see the same machine, so their ratio does not. Same states, same series, same
 * agreement check as the JMH benchmark.
 *
 * <p>It also prints the ratio of the two throughputs over the whole run (each side's observations over its total
 * time), which is what JMH's throughput measures: it charges ta4j its garbage collections, which the per-pair median
 * mostly leaves out, so the median is the more conservative number.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.arbiter.bench.FeatureUpdatePaired [pairs, default 200]</pre>
 */
public final class FeatureUpdatePaired {

    static final int ENGINE_ROUND = FeatureUpdateBenchmark.SERIES_LENGTH;
    static final int TA4J_ROUND = 1_024;
    static final int WARM_UP_PAIRS = 30;

    private FeatureUpdatePaired() {
    }

    public static void main(String[] args) {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        if (pairs < 1) {
            throw new IllegalArgumentException("pairs is " + pairs + "; pass a positive count");
        }
        FeatureUpdateBenchmark.EngineState engine = new FeatureUpdateBenchmark.EngineState();
        engine.setUp();
        FeatureUpdateBenchmark.Ta4jState ta4j = new FeatureUpdateBenchmark.Ta4jState();
        ta4j.setUp(); // checks that both sides agree to 1e-9 first
        double[] engineNs = new double[pairs];
        double[] ta4jNs = new double[pairs];
        double[] ratio = new double[pairs];
        double sink = 0;
        long engineTotalNs = 0;
        long ta4jTotalNs = 0;
        for (int p = -WARM_UP_PAIRS; p < pairs; p++) {
            boolean engineFirst = (p & 1) == 0;
            long t0 = System.nanoTime();
            sink += engineFirst ? engineRound(engine) : ta4jRound(ta4j);
            long t1 = System.nanoTime();
            sink += engineFirst ? ta4jRound(ta4j) : engineRound(engine);
            long t2 = System.nanoTime();
            long engineRoundNs = engineFirst ? t1 - t0 : t2 - t1;
            long ta4jRoundNs = engineFirst ? t2 - t1 : t1 - t0;
            double e = (double) engineRoundNs / ENGINE_ROUND;
            double t = (double) ta4jRoundNs / TA4J_ROUND;
            if (p >= 0) {
                engineTotalNs += engineRoundNs;
                ta4jTotalNs += ta4jRoundNs;
                engineNs[p] = e;
                ta4jNs[p] = t;
                ratio[p] = t / e;
            }
        }
        Arrays.sort(engineNs);
        Arrays.sort(ta4jNs);
        Arrays.sort(ratio);
        System.out.printf(Locale.ROOT, "%d pairs: engine %.1f ns per observation (median; fastest %.1f), ta4j %.0f ns"
                        + " per bar (median; fastest %.0f)%n", pairs, median(engineNs), engineNs[0], median(ta4jNs),
                ta4jNs[0]);
        System.out.printf(Locale.ROOT, "engine / ta4j throughput per pair: median %.1f, 10th percentile %.1f, 90th"
                        + " percentile %.1f (checksum %.3f)%n", median(ratio), percentile(ratio, 0.10),
                percentile(ratio, 0.90), sink);
        double engineThroughput = (double) pairs * ENGINE_ROUND / engineTotalNs;
        double ta4jThroughput = (double) pairs * TA4J_ROUND / ta4jTotalNs;
        System.out.printf(Locale.ROOT, "engine / ta4j throughput over the whole run (observations per total time, each"
                + " side's GC pauses included): %.1f (engine %.2f M/s, ta4j %.1f k/s)%n",
                engineThroughput / ta4jThroughput, engineThroughput * 1e3, ta4jThroughput * 1e6);
    }

    private static double engineRound(FeatureUpdateBenchmark.EngineState s) {
        double sum = 0;
        for (int i = 0; i < ENGINE_ROUND; i++) {
            s.update();
            sum += s.out[0] + s.out[s.out.length - 1];
        }
        return sum;
    }

    private static double ta4jRound(FeatureUpdateBenchmark.Ta4jState s) {
        double sum = 0;
        for (int i = 0; i < TA4J_ROUND; i++) {
            sum += s.addBarAndSum();
        }
        return sum;
    }

    private static double median(double[] sorted) {
        return percentile(sorted, 0.5);
    }

    private static double percentile(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }
}
