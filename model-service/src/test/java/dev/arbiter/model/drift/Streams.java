package dev.arbiter.model.drift;

import java.util.List;
import java.util.SplittableRandom;

/** Seeded prediction streams for drift tests: features a (normal), b (uniform), c (0, 1 or 2) and a score. */
final class Streams {

    static final List<String> FEATURES = List.of("a", "b", "c");
    static final String MODEL = "churn";
    static final int VERSION = 2;

    private final SplittableRandom random;
    private final String model;
    private double shiftA;
    private double shiftScore;
    private long ts = 1_700_000_000_000_000L;

    Streams(long seed) {
        this(seed, MODEL);
    }

    /** A stream of another model's version {@link #VERSION}. */
    Streams(long seed, String model) {
        this.random = new SplittableRandom(seed);
        this.model = model;
    }

    String model() {
        return model;
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

    /** Moves the clock on by {@code seconds}, as if the stream paused. */
    Streams skip(long seconds) {
        ts += seconds * 1_000_000L;
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
            monitor.record(model, VERSION, FEATURES, row, score, ts);
            ts += 1_000_000L;
        }
        return this;
    }

    long lastTsMicros() {
        return ts - 1_000_000L;
    }
}
