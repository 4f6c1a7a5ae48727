package dev.arbiter.engine.study;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One trial of a study: its parameters in the internal representation (a parameter may be absent: conditional
 * search spaces), its objective values (one per objective, empty unless COMPLETE) and its intermediate values by step.
 */
public record Trial(int number, TrialState state, Map<String, Double> params, double[] values,
                    NavigableMap<Integer, Double> intermediateValues) {

    public Trial {
        if (number < 0) {
            throw new IllegalArgumentException("trial.number is " + number + "; numbers start at 0");
        }
        if (state == null) {
            throw new IllegalArgumentException("trial.state is null (trial " + number + ")");
        }
        params = Map.copyOf(params);
        values = values == null ? new double[0] : values.clone();
        if (state == TrialState.COMPLETE) {
            if (values.length == 0) {
                throw new IllegalArgumentException("trial.values is empty for COMPLETE trial " + number
                        + "; a complete trial has one value per objective");
            }
            for (double v : values) {
                if (Double.isNaN(v)) {
                    throw new IllegalArgumentException("trial.values has NaN (trial " + number
                            + "); report the trial as FAIL instead");
                }
            }
        }
        intermediateValues = Collections.unmodifiableNavigableMap(
                new TreeMap<>(intermediateValues == null ? Map.of() : intermediateValues));
    }

    public static Trial complete(int number, Map<String, Double> params, double... values) {
        return new Trial(number, TrialState.COMPLETE, params, values, null);
    }

    public static Trial running(int number, Map<String, Double> params) {
        return new Trial(number, TrialState.RUNNING, params, null, null);
    }

    /** The single objective value. */
    public double value() {
        if (values.length != 1) {
            throw new IllegalStateException("trial " + number + " has " + values.length + " values, not one");
        }
        return values[0];
    }

    /** The last reported step, or -1 when none was reported. */
    public int lastStep() {
        return intermediateValues.isEmpty() ? -1 : intermediateValues.lastKey();
    }

    /** This trial with one more intermediate value. */
    public Trial withIntermediate(int step, double value) {
        var next = new TreeMap<>(intermediateValues);
        next.put(step, value);
        return new Trial(number, state, params, values, next);
    }

    /** This trial finished in {@code newState} with {@code newValues}. */
    public Trial finish(TrialState newState, double... newValues) {
        return new Trial(number, newState, params, newValues, intermediateValues);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Trial t && t.number == number && t.state == state && t.params.equals(params)
                && Arrays.equals(t.values, values) && t.intermediateValues.equals(intermediateValues);
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(number) * 31 + params.hashCode();
    }

    @Override
    public String toString() {
        return "Trial[" + number + " " + state + " " + params + " " + Arrays.toString(values) + "]";
    }
}
