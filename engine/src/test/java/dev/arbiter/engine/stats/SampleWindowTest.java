package dev.arbiter.engine.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SampleWindowTest {

    @Test
    void emptyWindowHoldsNothing() {
        SampleWindow w = new SampleWindow(3);
        assertEquals(0, w.size());
        assertFalse(w.full());
        assertEquals(0L, w.firstTsMicros());
        assertEquals(0L, w.lastTsMicros());
        assertEquals(0, w.copyTo(new double[0]));
    }

    @Test
    void fillsInOrderThenEvictsTheOldest() {
        SampleWindow w = new SampleWindow(3);
        w.add(1.0, 10);
        w.add(2.0, 20);
        assertEquals(2, w.size());
        assertFalse(w.full());
        assertArrayEquals(new double[] {1.0, 2.0}, copy(w));
        assertEquals(10L, w.firstTsMicros());
        assertEquals(20L, w.lastTsMicros());

        w.add(3.0, 30);
        assertTrue(w.full());
        assertArrayEquals(new double[] {1.0, 2.0, 3.0}, copy(w));

        w.add(4.0, 40);
        w.add(5.0, 50);
        assertEquals(3, w.size());
        assertTrue(w.full());
        assertArrayEquals(new double[] {3.0, 4.0, 5.0}, copy(w));
        assertEquals(30L, w.firstTsMicros());
        assertEquals(50L, w.lastTsMicros());
    }

    @Test
    void matchesANaiveListOverManyWraps() {
        SampleWindow w = new SampleWindow(7);
        double[] all = new double[100];
        for (int i = 0; i < all.length; i++) {
            all[i] = i * 0.5;
            w.add(all[i], 1_000L + i);
            int from = Math.max(0, i + 1 - 7);
            assertArrayEquals(Arrays.copyOfRange(all, from, i + 1), copy(w), "after value " + i);
            assertEquals(1_000L + from, w.firstTsMicros());
            assertEquals(1_000L + i, w.lastTsMicros());
        }
    }

    @Test
    void keepsNaNAsGiven() {
        SampleWindow w = new SampleWindow(2);
        w.add(Double.NaN, 1);
        w.add(1.0, 2);
        double[] out = copy(w);
        assertTrue(Double.isNaN(out[0]));
        assertEquals(1.0, out[1]);
    }

    @Test
    void copyToALargerArrayLeavesTheRest() {
        SampleWindow w = new SampleWindow(4);
        w.add(1.0, 1);
        w.add(2.0, 2);
        double[] dst = {9, 9, 9, 9};
        assertEquals(2, w.copyTo(dst));
        assertArrayEquals(new double[] {1, 2, 9, 9}, dst);
        assertThrows(IllegalArgumentException.class, () -> w.copyTo(new double[1]));
    }

    @Test
    void clearStartsAfresh() {
        SampleWindow w = new SampleWindow(2);
        w.add(1.0, 1);
        w.add(2.0, 2);
        w.add(3.0, 3);
        w.clear();
        assertEquals(0, w.size());
        assertEquals(0L, w.firstTsMicros());
        w.add(4.0, 4);
        assertArrayEquals(new double[] {4.0}, copy(w));
        assertEquals(4L, w.firstTsMicros());
        assertEquals(2, w.capacity());
    }

    @Test
    void refusesAnEmptyCapacity() {
        assertThrows(IllegalArgumentException.class, () -> new SampleWindow(0));
    }

    private static double[] copy(SampleWindow w) {
        double[] out = new double[w.size()];
        w.copyTo(out);
        return out;
    }
}
