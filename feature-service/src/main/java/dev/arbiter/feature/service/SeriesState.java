package dev.arbiter.feature.service;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import java.nio.ByteBuffer;

/**
 * One series: its streaming pipeline plus the last observation's values (to recognise a repeated one).
 * Every method is called with the instance's monitor held by {@link FeatureStore}.
 */
final class SeriesState {

    private static final int MAGIC = 0x41524653; // "ARFS"
    /** 1: no gap count; 2: the gap count after the last observation's values. */
    private static final int FORMAT = 2;
    private static final int HEADER_BYTES = Integer.BYTES * 2 + Double.BYTES * 5;

    final String seriesId;
    final FeaturePipeline pipeline;
    private final double[] last = new double[5]; // open, high, low, close, volume of the last accepted observation
    private boolean dirty;
    /** Observations still to absorb before every window lies after a possible gap; 0 without one. */
    private int gapToCover;

    SeriesState(String seriesId, FeatureConfig config) {
        this.seriesId = seriesId;
        this.pipeline = new FeaturePipeline(config);
    }

    void accept(Observation o, double[] scratch) {
        pipeline.update(o.tsMicros(), o.open(), o.high(), o.low(), o.close(), o.volume(), scratch, 0);
        last[0] = o.open();
        last[1] = o.high();
        last[2] = o.low();
        last[3] = o.close();
        last[4] = o.volume();
        if (gapToCover > 0) {
            gapToCover--;
        }
        dirty = true;
    }

    /** Marks a possible gap before the next observation: the windows cover it after {@code observations} more. */
    void markGap(int observations) {
        gapToCover = observations;
        dirty = true;
    }

    boolean repeats(Observation o) {
        return o.tsMicros() == pipeline.lastTsMicros() && o.sameValues(last[0], last[1], last[2], last[3], last[4]);
    }

    FeatureSnapshot snapshot(String schemaId) {
        double[] values = new double[pipeline.size()];
        pipeline.latest(values, 0);
        return new FeatureSnapshot(seriesId, pipeline.lastTsMicros(), schemaId, values, pipeline.warm(), pipeline.count(),
                gapToCover);
    }

    boolean dirty() {
        return dirty;
    }

    /** Encodes the whole state and marks it clean; the caller writes the bytes out. */
    byte[] encodeAndMarkClean() {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + Integer.BYTES + pipeline.stateSizeBytes());
        buf.putInt(MAGIC).putInt(FORMAT);
        for (double v : last) {
            buf.putDouble(v);
        }
        buf.putInt(gapToCover);
        pipeline.writeState(buf);
        dirty = false;
        return buf.array();
    }

    /** Marks the state dirty again after a failed write, so that the next flush retries it. */
    void markDirty() {
        dirty = true;
    }

    static SeriesState decode(String seriesId, FeatureConfig config, byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int format = bytes.length < HEADER_BYTES || buf.getInt() != MAGIC ? -1 : buf.getInt();
        if (format != 1 && format != FORMAT) {
            throw new IllegalArgumentException("snapshot of series \"" + seriesId + "\" has an unknown format");
        }
        SeriesState state = new SeriesState(seriesId, config);
        for (int i = 0; i < state.last.length; i++) {
            state.last[i] = buf.getDouble();
        }
        state.gapToCover = format == 1 ? 0 : buf.getInt();
        state.pipeline.readState(buf);
        return state;
    }
}
