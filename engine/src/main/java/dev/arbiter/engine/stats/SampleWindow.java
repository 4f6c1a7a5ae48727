package dev.arbiter.engine.stats;

import java.util.Arrays;

/**
 * The last {@code capacity} values of a stream with their timestamps, oldest first. {@link #add} is O(1) and
 * allocates nothing, so it can sit on a per-prediction path; reading the window ({@link #copyTo}) copies it out for
 * the statistics, which run elsewhere. Not thread-safe: the owner locks.
 */
public final class SampleWindow {

    private final double[] values;
    private final long[] tsMicros;
    private int next;
    private int size;

    /** @param capacity most values held; at least 1 */
    public SampleWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity is " + capacity + "; give at least 1");
        }
        this.values = new double[capacity];
        this.tsMicros = new long[capacity];
    }

    /** Appends a value, evicting the oldest when full. Any double is kept as is, NaN included. */
    public void add(double value, long tsMicros) {
        values[next] = value;
        this.tsMicros[next] = tsMicros;
        next = next + 1 == values.length ? 0 : next + 1;
        if (size < values.length) {
            size++;
        }
    }

    /**
     * Copies the window into {@code dst[0..size())}, oldest first.
     *
     * @return {@link #size()}
     * @throws IllegalArgumentException if {@code dst} is shorter than {@link #size()}
     */
    public int copyTo(double[] dst) {
        if (dst.length < size) {
            throw new IllegalArgumentException("dst holds " + dst.length + " values; the window has " + size);
        }
        int oldest = oldestIndex();
        int head = Math.min(size, values.length - oldest);
        System.arraycopy(values, oldest, dst, 0, head);
        System.arraycopy(values, 0, dst, head, size - head);
        return size;
    }

    /** Values held, at most {@link #capacity()}. */
    public int size() {
        return size;
    }

    public int capacity() {
        return values.length;
    }

    /** Whether the window holds {@link #capacity()} values, so the next {@link #add} evicts one. */
    public boolean full() {
        return size == values.length;
    }

    /** Timestamp of the oldest value held; 0 when empty. */
    public long firstTsMicros() {
        return size == 0 ? 0L : tsMicros[oldestIndex()];
    }

    /** Timestamp of the newest value held; 0 when empty. */
    public long lastTsMicros() {
        return size == 0 ? 0L : tsMicros[next == 0 ? values.length - 1 : next - 1];
    }

    /**
     * Moves this window's values in front of {@code newer}'s (they are older), keeping the latest
     * {@code newer.capacity()} of the two, then empties this window. Allocates; not for a per-value path.
     */
    public void drainInto(SampleWindow newer) {
        int total = size + newer.size;
        double[] v = new double[total];
        long[] ts = new long[total];
        copyTo(v, ts, 0);
        newer.copyTo(v, ts, size);
        newer.clear();
        for (int i = 0; i < total; i++) {
            newer.add(v[i], ts[i]);
        }
        clear();
    }

    private void copyTo(double[] v, long[] ts, int at) {
        int oldest = oldestIndex();
        for (int i = 0; i < size; i++) {
            int j = (oldest + i) % values.length;
            v[at + i] = values[j];
            ts[at + i] = tsMicros[j];
        }
    }

    /** Empties the window; the capacity stays. */
    public void clear() {
        Arrays.fill(values, 0.0);
        Arrays.fill(tsMicros, 0L);
        next = 0;
        size = 0;
    }

    private int oldestIndex() {
        return size < values.length ? 0 : next;
    }
}
