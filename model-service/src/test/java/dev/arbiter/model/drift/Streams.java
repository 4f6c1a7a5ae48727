package dev.arbiter.model.drift;

import java.util.List;
import java.util.SplittableRandom;

/** Seeded prediction streams for drift tests: features a (normal), b (uniform), c (0, 1 or 2) and a score. */
final class Streams {

    static final List<String> FEATURES = List.of("a", "b", "c");
    static final String MODEL = "churn";
    static final int VERSION = 2;

    private final SplittableRandom random;
    private double shiftA;
    private double shiftScore;
    private long ts = 1_700_000_000_000_000L;

    Streams(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Adds {@code delta} to feature a from now on (a is N(0, 1)). */
    Streams shiftFeatureA(double delta) {
        shiftA = delta;
        return this;
    }

    /** Adds {@code delta} to the score's log-odds from now on. */
    Streams shiftScore(double delta) {
        shiftScore = delta;
        return this;
    }

    double scoreShift() {
        return shiftScore;
    }

    /** Records {@code n} predictions, one second apart. */
    Streams feed(DriftMonitor monitor, int n) {
        for (int i = 0; i < n; i++) {
            double[] row = {random.nextGaussian() + shiftA, random.nextDouble(), random.nextInt(3)};
            double score = 1.0 / (1.0 + Math.exp(-(random.nextGaussian() + shiftScore)));
            monitor.record(MODEL, VERSION, FEATURES, row, score, ts);
            ts += 1_000_000L;
        }
        return this;
    }

    long lastTsMicros() {
        return ts - 1_000_000L;
    }
}
