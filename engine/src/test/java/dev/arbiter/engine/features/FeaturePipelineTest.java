package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Conventions, edge cases and input checks of the streaming pipeline. */
class FeaturePipelineTest {

    /** Monday 2024-01-01T00:00:00Z. */
    private static final long MONDAY_MICROS = 1_704_067_200_000_000L;
    private static final long HOUR_MICROS = 3_600_000_000L;

    private final FeaturePipeline p = new FeaturePipeline(FeatureConfig.defaults());
    private final FeatureSchema schema = p.schema();
    private final double[] out = new double[p.size()];

    private double f(String name) {
        int i = schema.indexOf(name);
        assertTrue(i >= 0, name);
        return out[i];
    }

    private void update(long ts, double high, double low, double close) {
        p.update(ts, Double.NaN, high, low, close, Double.NaN, out, 0);
    }

    @Test
    void atrFallsBackToCloseToCloseWithoutHighLow() {
        double[] close = {10, 11, 10.5, 12, 11, 11.5, 13, 12, 12.5, 12, 13, 14, 13.5, 13, 15, 14, 16, 15.5};
        double alpha = 1.0 / 14;
        double expected = Double.NaN;
        for (int i = 0; i < close.length; i++) {
            // high or low absent (one of them suffices): true range = |close - previous close|
            update(MONDAY_MICROS + i * HOUR_MICROS, i % 2 == 0 ? Double.NaN : close[i] + 5, Double.NaN, close[i]);
            if (i < 14) {
                assertTrue(Double.isNaN(f("atr_14")), "ATR is NaN during its warm-up, at " + i);
                continue;
            }
            double tr = Math.abs(close[i] - close[i - 1]);
            expected = i == 14 ? tr : expected + (tr - expected) * alpha;
            assertEquals(expected, f("atr_14"), 0.0, "at " + i);
        }
    }

    @Test
    void atrUsesHighLowAndPreviousCloseWhenPresent() {
        for (int i = 0; i < 14; i++) {
            update(MONDAY_MICROS + i * HOUR_MICROS, 101, 99, 100);
        }
        update(MONDAY_MICROS + 14 * HOUR_MICROS, 106, 103, 105); // gap up: |high - prevClose| = 6 > high - low = 3
        assertEquals(6.0, f("atr_14"), 0.0);
        update(MONDAY_MICROS + 15 * HOUR_MICROS, 105.5, 104.5, 105);
        assertEquals(6.0 + (1.0 - 6.0) / 14, f("atr_14"), 1e-15);
    }

    @Test
    void timeFeaturesOfKnownTimestamps() {
        update(MONDAY_MICROS, Double.NaN, Double.NaN, 100);
        assertEquals(0.0, f("tod_sin"), 0.0);
        assertEquals(1.0, f("tod_cos"), 0.0);
        assertEquals(0.0, f("dow_sin"), 0.0);
        assertEquals(1.0, f("dow_cos"), 0.0);

        update(MONDAY_MICROS + 12 * HOUR_MICROS, Double.NaN, Double.NaN, 100);
        assertEquals(0.0, f("tod_sin"), 1e-15);
        assertEquals(-1.0, f("tod_cos"), 1e-15);
        assertEquals(0.0, f("dow_sin"), 0.0);

        update(MONDAY_MICROS + 6 * 24 * HOUR_MICROS + 6 * HOUR_MICROS, Double.NaN, Double.NaN, 100); // Sunday 06:00
        assertEquals(1.0, f("tod_sin"), 1e-15);
        assertEquals(0.0, f("tod_cos"), 1e-15);
        assertEquals(Math.sin(2 * Math.PI * 6 / 7), f("dow_sin"), 1e-15);
        assertEquals(Math.cos(2 * Math.PI * 6 / 7), f("dow_cos"), 1e-15);
    }

    @Test
    void utcOffsetShiftsTimeOfDayAndDayOfWeek() {
        FeaturePipeline plusOne = new FeaturePipeline(FeatureConfig.builder().utcOffsetMinutes(60).build());
        double[] o = new double[plusOne.size()];
        // Sunday 2023-12-31T23:00Z is Monday 00:00 at UTC+01:00
        plusOne.update(MONDAY_MICROS - HOUR_MICROS, Double.NaN, Double.NaN, Double.NaN, 100, Double.NaN, o, 0);
        assertEquals(0.0, o[schema.indexOf("tod_sin")], 1e-15);
        assertEquals(1.0, o[schema.indexOf("tod_cos")], 1e-15);
        assertEquals(0.0, o[schema.indexOf("dow_sin")], 0.0);
        assertEquals(1.0, o[schema.indexOf("dow_cos")], 0.0);

        FeaturePipeline minusOne = new FeaturePipeline(FeatureConfig.builder().utcOffsetMinutes(-60).build());
        // Monday 00:30Z is Sunday 23:30 at UTC-01:00
        minusOne.update(MONDAY_MICROS + HOUR_MICROS / 2, Double.NaN, Double.NaN, Double.NaN, 100, Double.NaN, o, 0);
        assertEquals(Math.sin(2 * Math.PI * 6 / 7), o[schema.indexOf("dow_sin")], 1e-15);
        assertEquals(Math.cos(2 * Math.PI * 23.5 / 24), o[schema.indexOf("tod_cos")], 1e-15);
    }

    @Test
    void timeFeaturesAgreeWithJavaTimeIncludingBefore1970() {
        SplittableRandom rnd = new SplittableRandom(99);
        for (int offset : new int[] {0, 330, -480, 1080}) {
            FeaturePipeline q = new FeaturePipeline(FeatureConfig.builder().utcOffsetMinutes(offset).build());
            double[] o = new double[q.size()];
            long ts = -2_000_000_000_000_000L; // 1906
            for (int k = 0; k < 2_000; k++) {
                ts += 1 + rnd.nextLong(40L * 24 * HOUR_MICROS);
                q.update(ts, Double.NaN, Double.NaN, Double.NaN, 100, Double.NaN, o, 0);
                ZonedDateTime local = Instant.EPOCH.plusNanos(0).plusSeconds(Math.floorDiv(ts, 1_000_000L))
                        .plusNanos(Math.floorMod(ts, 1_000_000L) * 1000).atZone(ZoneOffset.ofTotalSeconds(offset * 60));
                double dayFraction = (local.toLocalTime().toNanoOfDay() / 1000) / 86_400_000_000.0;
                int d = local.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue();
                assertEquals(Math.sin(2 * Math.PI * dayFraction), o[schema.indexOf("tod_sin")], 1e-12);
                assertEquals(Math.cos(2 * Math.PI * dayFraction), o[schema.indexOf("tod_cos")], 1e-12);
                assertEquals(Math.sin(2 * Math.PI * d / 7), o[schema.indexOf("dow_sin")], 1e-12);
                assertEquals(Math.cos(2 * Math.PI * d / 7), o[schema.indexOf("dow_cos")], 1e-12);
            }
        }
    }

    @Test
    void warmUpValuesFollowTheDocumentedConventions() {
        assertEquals(Long.MIN_VALUE, p.lastTsMicros());
        double[] before = new double[p.size()];
        p.latest(before, 0);
        for (double v : before) {
            assertTrue(Double.isNaN(v), "latest() is NaN before the first update");
        }

        update(MONDAY_MICROS, 101, 99, 100);
        assertEquals(100.0, f("sma_50"), 0.0);
        assertTrue(Double.isNaN(f("ema_12")));
        assertTrue(Double.isNaN(f("vol_10")));
        assertTrue(Double.isNaN(f("atr_14")));
        assertEquals(0.0, f("mom_10"), 0.0);
        assertEquals(0.0, f("roc_10"), 0.0);
        assertTrue(Double.isNaN(f("skew_50")));
        assertTrue(Double.isNaN(f("kurt_50")));
        assertEquals(0.0, f("efficiency_ratio_14"), 0.0);
        assertTrue(Double.isNaN(f("vol_cluster_10_50")));
        assertEquals(0.0, f("drawdown"), 0.0);

        update(MONDAY_MICROS + 1, 121, 119, 120);
        assertEquals(110.0, f("sma_5"), 0.0);
        assertEquals(0.0, f("vol_10"), 0.0, "one return has no spread");
        assertEquals(0.0, f("skew_50"), 0.0);
        assertEquals(0.0, f("kurt_50"), 0.0);
        assertEquals(1.0, f("vol_cluster_10_50"), 0.0);
        assertEquals(20.0, f("mom_10"), 1e-12);
        assertEquals(20.0, f("roc_10"), 1e-12);
        assertEquals(1.0, f("efficiency_ratio_14"), 0.0);

        update(MONDAY_MICROS + 2, 91, 89, 90);
        assertEquals(-0.25, f("drawdown"), 0.0);
        assertEquals(10.0 / 50.0, f("efficiency_ratio_14"), 1e-15);

        double[] latest = new double[p.size() + 2];
        p.latest(latest, 2);
        for (int i = 0; i < p.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(out[i]), Double.doubleToRawLongBits(latest[i + 2]));
        }
        assertEquals(3, p.count());
        assertEquals(MONDAY_MICROS + 2, p.lastTsMicros());
    }

    /**
     * latest() recomputes the features from the state instead of keeping a copy: at every observation of a series
     * with missing high/low and a volatility drop, through the warm-up and past refreshes, it answers the update's
     * bits.
     */
    @Test
    void latestAnswersTheBitsOfEveryUpdate() {
        TestSeries s = TestSeries.synthetic(3, 3_000);
        double[] latest = new double[p.size() + 1];
        for (int i = 0; i < s.size(); i++) {
            p.update(s.ts[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i], out, 0);
            p.latest(latest, 1);
            for (int j = 0; j < p.size(); j++) {
                assertEquals(Double.doubleToRawLongBits(out[j]), Double.doubleToRawLongBits(latest[j + 1]),
                        schema.names().get(j) + " at observation " + i);
            }
        }
    }

    @Test
    void warmWhenEveryWindowHasFilled() {
        assertEquals(51, p.warmUpObservations());
        for (int i = 0; i < 51; i++) {
            assertFalse(p.warm(), "not warm after " + i);
            update(MONDAY_MICROS + i, Double.NaN, Double.NaN, 100 + i % 3);
            for (double v : out) {
                if (i >= 26) {
                    assertFalse(Double.isNaN(v), "every feature is defined from observation 26 (ema_26)");
                }
            }
        }
        assertTrue(p.warm());
        p.reset();
        assertFalse(p.warm());
        assertEquals(0, p.count());
        assertEquals(Long.MIN_VALUE, p.lastTsMicros());
    }

    @Test
    void constantSeriesGivesNeutralValues() {
        for (int i = 0; i < 200; i++) {
            update(MONDAY_MICROS + i, 100, 100, 100);
        }
        assertEquals(0.0, f("vol_50"), 0.0);
        assertEquals(0.0, f("skew_50"), 0.0);
        assertEquals(0.0, f("kurt_50"), 0.0);
        assertEquals(1.0, f("vol_cluster_10_50"), 0.0);
        assertEquals(0.0, f("efficiency_ratio_14"), 0.0);
        assertEquals(0.0, f("atr_14"), 0.0);
        assertEquals(100.0, f("ema_26"), 0.0);
        assertEquals(100.0, f("sma_50"), 0.0);
    }

    @Test
    void badObservationsAreRefusedBeforeAnyStateChanges() {
        FeaturePipeline twin = new FeaturePipeline(FeatureConfig.defaults());
        double[] twinOut = new double[twin.size()];
        TestSeries s = TestSeries.synthetic(1, 300);
        for (int i = 0; i < 100; i++) {
            update(s.ts[i], s.high[i], s.low[i], s.close[i]);
            twin.update(s.ts[i], Double.NaN, s.high[i], s.low[i], s.close[i], Double.NaN, twinOut, 0);
        }
        long next = s.ts[100];
        assertMessage("close is NaN", () -> update(next, Double.NaN, Double.NaN, Double.NaN));
        assertMessage("close is 0.0", () -> update(next, Double.NaN, Double.NaN, 0.0));
        assertMessage("close is -1.0", () -> update(next, Double.NaN, Double.NaN, -1.0));
        assertMessage("close is Infinity", () -> update(next, Double.NaN, Double.NaN, Double.POSITIVE_INFINITY));
        assertMessage("ts_micros " + s.ts[99] + " does not follow",
                () -> update(s.ts[99], Double.NaN, Double.NaN, 100));
        assertMessage("high/low is infinite", () -> update(next, Double.POSITIVE_INFINITY, 1, 100));
        assertThrows(IndexOutOfBoundsException.class,
                () -> p.update(next, Double.NaN, Double.NaN, Double.NaN, 100, Double.NaN, new double[3], 0));
        assertEquals(100, p.count());
        for (int i = 100; i < 300; i++) {
            update(s.ts[i], s.high[i], s.low[i], s.close[i]);
            twin.update(s.ts[i], Double.NaN, s.high[i], s.low[i], s.close[i], Double.NaN, twinOut, 0);
            FeatureBatchTest.assertBitsEqual(twinOut, out, 0, out.length);
        }
    }

    private static void assertMessage(String start, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void updatesDoNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        TestSeries s = TestSeries.synthetic(2, 200_000);
        long tid = Thread.currentThread().getId();
        feed(s, 0, 100_000); // let the JIT compile the path first
        long before = threads.getThreadAllocatedBytes(tid);
        feed(s, 100_000, 200_000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        // An allocation per update would be 16 bytes or more each, 1.6 MB here. The bound leaves room for a one-off
        // allocation by the JVM (1,048 bytes once in some test orders, with this and earlier builds of the update).
        assertTrue(allocated < 10_000, allocated + " bytes allocated by 100,000 updates");
    }

    private void feed(TestSeries s, int from, int to) {
        for (int i = from; i < to; i++) {
            p.update(s.ts[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i], out, 0);
        }
    }
}
