package dev.arbiter.engine.features;

import java.nio.ByteBuffer;

/**
 * Mirrored rings: a ring of {@code n} slots held twice over in an array of {@code 2n}, each value stored at its slot
 * {@code s} and at {@code s + n}. The value {@code k} places before slot {@code s} ({@code 1 <= k <= n}) is then at
 * {@code s - k + n} for every {@code s}, so a read costs an addition where wrapping the index around cost five
 * instructions and a read of the window's length (the JIT's code for the feature update read twelve rings per
 * observation). The state holds the first copy only, as it did for plain rings.
 */
final class Rings {

    private Rings() {
    }

    /** The array of a mirrored ring of {@code slots} slots. */
    static double[] mirrored(int slots) {
        return new double[2 * slots];
    }

    /** Stores {@code x} at {@code slot} of a mirrored ring of {@code slots} slots. */
    static void put(double[] ring, int slots, int slot, double x) {
        ring[slot] = x;
        ring[slot + slots] = x;
    }

    /** Writes the ring's {@code slots} values. */
    static void write(ByteBuffer buf, double[] ring, int slots) {
        for (int i = 0; i < slots; i++) {
            buf.putDouble(ring[i]);
        }
    }

    /** Reads {@code slots} values written by {@link #write} into both copies. */
    static void read(ByteBuffer buf, double[] ring, int slots) {
        for (int i = 0; i < slots; i++) {
            put(ring, slots, i, buf.getDouble());
        }
    }
}
