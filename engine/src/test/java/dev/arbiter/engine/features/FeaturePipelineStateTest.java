package dev.arbiter.engine.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Snapshot and restore: a restored pipeline continues bit for bit; a wrong or damaged state is refused. */
class FeaturePipelineStateTest {

    private final TestSeries series = TestSeries.synthetic(5, 4_000);

    @ParameterizedTest(name = "split after {0} observations")
    @ValueSource(ints = {0, 1, 2, 13, 49, 50, 51, 1_234, 2_000, 3_999})
    void restoredPipelineContinuesBitForBit(int split) {
        FeaturePipeline original = new FeaturePipeline(FeatureConfig.defaults());
        feed(original, 0, split, new double[original.size()]);

        ByteBuffer buf = ByteBuffer.allocate(original.stateSizeBytes());
        original.writeState(buf);
        assertEquals(original.stateSizeBytes(), buf.position(), "stateSizeBytes is exact");
        buf.flip();
        FeaturePipeline restored = new FeaturePipeline(FeatureConfig.defaults());
        restored.readState(buf);
        assertEquals(buf.limit(), buf.position(), "readState consumes the state");

        assertSameState(original, restored);
        assertContinueIdentically(original, restored, split);
    }

    /**
     * A snapshot written by an earlier build (commit ca2df35, format version 1, resource
     * {@code state/features-v1-defaults-1000.bin}) still restores: feature-service keeps snapshots in Redis across
     * upgrades. The restored pipeline answers what that build answered after its last update (the snapshot carries
     * that vector; the restored pipeline recomputes it from the rest of the state), and once its returns ring has
     * turned over it is exactly this build's pipeline fed the same observations (that build's log returns differed
     * in the last bit here and there).
     */
    @Test
    void snapshotOfAnEarlierBuildRestores() throws Exception {
        byte[] earlier;
        try (InputStream in = getClass().getResourceAsStream("/state/features-v1-defaults-1000.bin")) {
            earlier = in.readAllBytes();
        }
        FeaturePipeline restored = new FeaturePipeline(FeatureConfig.defaults());
        restored.readState(ByteBuffer.wrap(earlier));
        assertEquals(1_000, restored.count());
        double[] answered = new double[restored.size()];
        // after the 20-byte header: count, timestamp and previous close, then the latest features
        ByteBuffer.wrap(earlier, 20 + 3 * Long.BYTES, Double.BYTES * answered.length).asDoubleBuffer().get(answered);
        double[] latest = new double[restored.size()];
        restored.latest(latest, 0);
        FeatureBatchTest.assertBitsEqual(answered, latest, 0, latest.length);

        FeaturePipeline fed = new FeaturePipeline(FeatureConfig.defaults());
        double[] out = new double[fed.size()];
        for (int i = 0; i < 1_000; i++) {
            oscillation(fed, i, out);
        }
        for (int i = 1_000; i < 1_200; i++) {
            oscillation(fed, i, out);
            oscillation(restored, i, latest);
        }
        assertSameState(fed, restored);
    }

    /** Observation i of the series the earlier build's snapshot was written from. */
    private static void oscillation(FeaturePipeline p, int i, double[] out) {
        double close = 100 + 10 * Math.sin(i / 7.0) + (i % 13) * 0.1;
        boolean gap = i % 11 == 4;
        p.update(1_704_067_200_000_000L + i * 61_000_000L, Double.NaN, gap ? Double.NaN : close + 1,
                gap ? Double.NaN : close - 1, close, Double.NaN, out, 0);
    }

    @Test
    void stateIsDeterministicAndIndependentOfBufferOrder() {
        FeaturePipeline p = new FeaturePipeline(FeatureConfig.defaults());
        feed(p, 0, 777, new double[p.size()]);
        ByteBuffer big = ByteBuffer.allocate(p.stateSizeBytes());
        ByteBuffer little = ByteBuffer.allocate(p.stateSizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
        p.writeState(big);
        p.writeState(little);
        assertArrayEquals(big.array(), little.array());
        assertEquals(ByteOrder.LITTLE_ENDIAN, little.order(), "the caller's byte order is restored");

        FeaturePipeline q = new FeaturePipeline(FeatureConfig.defaults());
        little.flip();
        q.readState(little);
        assertContinueIdentically(p, q, 777);
    }

    @Test
    void stateAfterResetEqualsFreshState() {
        FeaturePipeline fresh = new FeaturePipeline(FeatureConfig.defaults());
        FeaturePipeline used = new FeaturePipeline(FeatureConfig.defaults());
        feed(used, 0, 500, new double[used.size()]);
        used.reset();
        assertArrayEquals(state(fresh), state(used));
    }

    @Test
    void stateOfAnotherConfigurationIsRefusedNamingBothSchemas() {
        FeaturePipeline p = new FeaturePipeline(FeatureConfig.builder().smaWindows(5, 10).build());
        feed(p, 0, 100, new double[p.size()]);
        byte[] bytes = state(p);
        FeaturePipeline other = new FeaturePipeline(FeatureConfig.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.readState(ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("written for schema " + p.schema().id()), e.getMessage());
        assertTrue(e.getMessage().contains(other.schema().id()), e.getMessage());
    }

    @Test
    void damagedStatesAreRefusedAndLeaveThePipelineUnchanged() {
        FeaturePipeline source = new FeaturePipeline(FeatureConfig.defaults());
        feed(source, 0, 1_000, new double[source.size()]);
        byte[] good = state(source);

        FeaturePipeline target = new FeaturePipeline(FeatureConfig.defaults());
        feed(target, 0, 300, new double[target.size()]);
        FeaturePipeline twin = new FeaturePipeline(FeatureConfig.defaults());
        feed(twin, 0, 300, new double[twin.size()]);

        assertRefused(target, flip(good, 0), "not a feature state");
        assertRefused(target, flip(good, 7), "format version");
        assertRefused(target, flip(good, 14), "body is");
        assertRefused(target, flip(good, 19), "corrupt");
        for (int at : new int[] {20, 100, good.length / 2, good.length - 1}) {
            assertRefused(target, flip(good, at), "corrupt");
        }
        assertRefused(target, Arrays.copyOf(good, good.length - 1), "truncated");
        assertRefused(target, Arrays.copyOf(good, 7), "truncated");

        ByteBuffer buf = ByteBuffer.wrap(flip(good, 500));
        assertThrows(IllegalArgumentException.class, () -> target.readState(buf));
        assertEquals(0, buf.position(), "a refused state leaves the buffer's position");

        assertSameState(twin, target);
        assertContinueIdentically(twin, target, 300);
    }

    @Test
    void tooSmallBufferIsRefusedOnWrite() {
        FeaturePipeline p = new FeaturePipeline(FeatureConfig.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.writeState(ByteBuffer.allocate(p.stateSizeBytes() - 1)));
        assertTrue(e.getMessage().contains("stateSizeBytes()"), e.getMessage());
    }

    private static void assertRefused(FeaturePipeline p, byte[] bytes, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.readState(ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains(messagePart), "expected '" + messagePart + "' in: " + e.getMessage());
    }

    private static byte[] flip(byte[] bytes, int at) {
        byte[] copy = bytes.clone();
        copy[at] ^= 0x10;
        return copy;
    }

    private static byte[] state(FeaturePipeline p) {
        ByteBuffer buf = ByteBuffer.allocate(p.stateSizeBytes());
        p.writeState(buf);
        return buf.array();
    }

    private void feed(FeaturePipeline p, int from, int to, double[] out) {
        for (int i = from; i < to; i++) {
            p.update(series.ts[i], series.open[i], series.high[i], series.low[i], series.close[i], series.volume[i],
                    out, 0);
        }
    }

    private static void assertSameState(FeaturePipeline a, FeaturePipeline b) {
        assertEquals(a.count(), b.count());
        assertEquals(a.lastTsMicros(), b.lastTsMicros());
        assertEquals(a.warm(), b.warm());
        double[] la = new double[a.size()];
        double[] lb = new double[b.size()];
        a.latest(la, 0);
        b.latest(lb, 0);
        FeatureBatchTest.assertBitsEqual(la, lb, 0, la.length);
        assertArrayEquals(state(a), state(b));
    }

    private void assertContinueIdentically(FeaturePipeline a, FeaturePipeline b, int from) {
        double[] oa = new double[a.size()];
        double[] ob = new double[b.size()];
        for (int i = from; i < series.size(); i++) {
            a.update(series.ts[i], series.open[i], series.high[i], series.low[i], series.close[i], series.volume[i],
                    oa, 0);
            b.update(series.ts[i], series.open[i], series.high[i], series.low[i], series.close[i], series.volume[i],
                    ob, 0);
            FeatureBatchTest.assertBitsEqual(oa, ob, 0, oa.length);
        }
        assertArrayEquals(state(a), state(b));
    }
}
