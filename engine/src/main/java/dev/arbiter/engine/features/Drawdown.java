package dev.arbiter.engine.features;

import java.nio.ByteBuffer;

/** Running drawdown {@code close / peak - 1} (0 at a new peak, negative below it) since the first observation. */
final class Drawdown {

    private double peak = Double.NaN;

    double update(double close) {
        if (!(close <= peak)) {
            peak = close;
        }
        return close / peak - 1.0;
    }

    void reset() {
        peak = Double.NaN;
    }

    int stateBytes() {
        return Double.BYTES;
    }

    void write(ByteBuffer buf) {
        buf.putDouble(peak);
    }

    void read(ByteBuffer buf) {
        peak = buf.getDouble();
    }
}
