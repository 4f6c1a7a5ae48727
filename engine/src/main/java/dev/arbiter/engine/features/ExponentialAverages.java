package dev.arbiter.engine.features;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The configured exponential moving averages of the close, in the configuration's order. The first four are also
 * held in fields and stepped in straight-line code (see {@link CloseHistory} for why).
 */
final class ExponentialAverages {

    private final int[] windows;
    private final ExponentialAverage[] all;
    private final ExponentialAverage e0;
    private final ExponentialAverage e1;
    private final ExponentialAverage e2;
    private final ExponentialAverage e3;
    private final ExponentialAverage[] beyondFour;

    /** One average per window n, with smoothing {@code 2 / (n + 1)} and n unstable observations (as ta4j). */
    ExponentialAverages(int[] windows) {
        this.windows = windows.clone();
        int m = windows.length;
        this.all = new ExponentialAverage[m];
        for (int i = 0; i < m; i++) {
            all[i] = new ExponentialAverage(2.0 / (windows[i] + 1), windows[i]);
        }
        this.e0 = m > 0 ? all[0] : null;
        this.e1 = m > 1 ? all[1] : null;
        this.e2 = m > 2 ? all[2] : null;
        this.e3 = m > 3 ? all[3] : null;
        this.beyondFour = Arrays.copyOfRange(all, Math.min(4, m), m);
    }

    void update(double close) {
        if (e0 != null) {
            e0.update(close);
            if (e1 != null) {
                e1.update(close);
                if (e2 != null) {
                    e2.update(close);
                    if (e3 != null) {
                        e3.update(close);
                        for (ExponentialAverage e : beyondFour) {
                            e.update(close);
                        }
                    }
                }
            }
        }
    }

    /** Writes each average (NaN during its warm-up) into {@code out[k..]}. */
    void write(double[] out, int k) {
        if (e0 != null) {
            out[k] = e0.value();
            if (e1 != null) {
                out[k + 1] = e1.value();
                if (e2 != null) {
                    out[k + 2] = e2.value();
                    if (e3 != null) {
                        out[k + 3] = e3.value();
                        for (int i = 0; i < beyondFour.length; i++) {
                            out[k + 4 + i] = beyondFour[i].value();
                        }
                    }
                }
            }
        }
    }

    void reset() {
        for (ExponentialAverage e : all) {
            e.reset();
        }
    }

    int stateBytes() {
        int bytes = 0;
        for (ExponentialAverage e : all) {
            bytes += e.stateBytes();
        }
        return bytes;
    }

    void write(ByteBuffer buf) {
        for (ExponentialAverage e : all) {
            e.write(buf);
        }
    }

    void read(ByteBuffer buf) {
        for (int i = 0; i < all.length; i++) {
            all[i].read(buf, "ema_" + windows[i]);
        }
    }
}
