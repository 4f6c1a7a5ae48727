package dev.arbiter.cli.options;

import dev.arbiter.cli.client.UsageError;

/** Checks of option values that the proto's unsigned fields cannot carry (a negative count would wrap around). */
public final class Checks {

    private Checks() {
    }

    /** {@code value} must be at least 1. */
    public static void positive(String option, long value) {
        if (value < 1) {
            throw new UsageError(option + " is " + value + "; give a whole number of at least 1");
        }
    }

    /** {@code value} must be 0 or more (0 usually meaning the default). */
    public static void notNegative(String option, long value) {
        if (value < 0) {
            throw new UsageError(option + " is " + value + "; give 0 or more");
        }
    }
}
