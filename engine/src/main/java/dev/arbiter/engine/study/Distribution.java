package dev.arbiter.engine.study;

/**
 * The range of one hyperparameter. Values travel as doubles in the internal representation: a float or an
 * int is its own value, a categorical value is the index of its choice.
 */
public sealed interface Distribution permits FloatDistribution, IntDistribution, CategoricalDistribution {

    /** Whether {@code value} (internal representation) is a value this distribution can produce. */
    boolean contains(double value);

    /** Whether only one value is possible (Optuna leaves such parameters out of the joint search space). */
    boolean single();

    /** Shared checks of the numeric distributions; {@code kind} names the type in messages. */
    static void checkNumeric(String kind, double low, double high, boolean log, double step) {
        if (!Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException(kind + ".low and .high must be finite, got low " + low + ", high " + high);
        }
        if (low > high) {
            throw new IllegalArgumentException(kind + ".low (" + low + ") is greater than .high (" + high
                    + "); pass low <= high");
        }
        if (log && low <= 0) {
            throw new IllegalArgumentException(kind + ".low is " + low + " with log = true; a log scale needs low > 0");
        }
        if (step != 0 && log) {
            throw new IllegalArgumentException(kind + ".step (" + step + ") cannot be combined with log = true;"
                    + " drop the step or the log scale");
        }
        if (step < 0 || Double.isNaN(step)) {
            throw new IllegalArgumentException(kind + ".step is " + step + "; pass a positive step or none");
        }
    }
}
