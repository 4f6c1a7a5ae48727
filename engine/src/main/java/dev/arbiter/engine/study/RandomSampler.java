package dev.arbiter.engine.study;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Independent uniform sampling, as Optuna's RandomSampler: uniform in the transformed space (logs for a log scale,
 * half a step wider on each side for a grid), then back onto the grid; a categorical choice uniformly.
 * Deterministic given the seed.
 */
public final class RandomSampler {

    private final SplittableRandom rng;

    public RandomSampler(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    public Map<String, Double> ask(Map<String, Distribution> space) {
        var out = new LinkedHashMap<String, Double>();
        space.forEach((name, d) -> out.put(name, sample(d, rng)));
        return out;
    }

    public double sample(Distribution d) {
        return sample(d, rng);
    }

    /** One uniform draw from {@code d} with {@code rng}, internal representation. */
    public static double sample(Distribution d, SplittableRandom rng) {
        if (d instanceof CategoricalDistribution c) {
            return rng.nextInt(c.choices().size());
        }
        var num = ParzenEstimator.Numeric.of(d);
        if (num.lo() == num.hi()) {
            return num.low();
        }
        double t = num.lo() + rng.nextDouble() * (num.hi() - num.lo());
        double x = num.untransform(t);
        if (num.step() == 0) {
            x = Math.min(num.high(), Math.max(num.low(), x));
        }
        return x;
    }
}
