package dev.arbiter.engine.features;

import java.nio.ByteBuffer;

/** Helpers shared by the indicators' state readers and writers. */
final class StateIo {

    private StateIo() {
    }

    static void putAll(ByteBuffer buf, double[] a) {
        for (double v : a) {
            buf.putDouble(v);
        }
    }

    /** A ring of {@code slots} filled from 0: while not full, {@code next == count}. */
    static void checkRing(String name, int slots, int next, int count, int counter, int counterLimit) {
        if (count < 0 || count > slots || next < 0 || next >= slots || (count < slots && next != count)
                || counter < 0 || counter >= counterLimit) {
            throw new IllegalArgumentException("feature state is inconsistent for " + name + ": next=" + next
                    + ", count=" + count + ", counter=" + counter + " in " + slots + " slots");
        }
    }
}
