package dev.arbiter.engine.study;

/**
 * A real range [low, high], optionally on a log scale or on the grid {@code low + k * step} (step 0 means none).
 * As in Optuna, {@code high} is moved down onto the step grid.
 */
public record FloatDistribution(double low, double high, boolean log, double step) implements Distribution {

    public FloatDistribution {
        Distribution.checkNumeric("FloatDistribution", low, high, log, step);
        if (step > 0) {
            high = low + Math.floor((high - low) / step + 1e-9) * step;
        }
    }

    public static FloatDistribution of(double low, double high) {
        return new FloatDistribution(low, high, false, 0);
    }

    public static FloatDistribution log(double low, double high) {
        return new FloatDistribution(low, high, true, 0);
    }

    public static FloatDistribution stepped(double low, double high, double step) {
        if (step <= 0) {
            throw new IllegalArgumentException("FloatDistribution.step is " + step + "; pass a positive step");
        }
        return new FloatDistribution(low, high, false, step);
    }

    @Override
    public boolean contains(double value) {
        if (!(value >= low && value <= high)) {
            return false;
        }
        if (step == 0) {
            return true;
        }
        double k = (value - low) / step;
        return Math.abs(k - Math.rint(k)) < 1e-8;
    }

    @Override
    public boolean single() {
        return low == high;
    }
}
