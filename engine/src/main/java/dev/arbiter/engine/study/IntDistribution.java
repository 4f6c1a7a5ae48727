package dev.arbiter.engine.study;

/**
 * An integer range [low, high] on the grid {@code low + k * step} (step 1 by default), or on a log scale (step 1).
 * As in Optuna, {@code high} is moved down onto the step grid.
 */
public record IntDistribution(long low, long high, boolean log, long step) implements Distribution {

    public IntDistribution {
        Distribution.checkNumeric("IntDistribution", low, high, log, log && step == 1 ? 0 : step);
        if (step < 1) {
            throw new IllegalArgumentException("IntDistribution.step is " + step + "; pass a step >= 1");
        }
        high = low + (high - low) / step * step;
    }

    public static IntDistribution of(long low, long high) {
        return new IntDistribution(low, high, false, 1);
    }

    public static IntDistribution log(long low, long high) {
        return new IntDistribution(low, high, true, 1);
    }

    public static IntDistribution stepped(long low, long high, long step) {
        return new IntDistribution(low, high, false, step);
    }

    @Override
    public boolean contains(double value) {
        return value >= low && value <= high && value == Math.rint(value) && ((long) value - low) % step == 0;
    }

    @Override
    public boolean single() {
        return low == high;
    }
}
