package dev.arbiter.engine.features;

/** Index arithmetic of the fixed-length rings the windows keep their last values in. */
final class Rings {

    private Rings() {}

    /** {@code i} in {@code [-length, length)} as a ring index in {@code [0, length)}, without a branch. */
    static int wrap(int i, int length) {
        return i + ((i >> 31) & length);
    }
}
