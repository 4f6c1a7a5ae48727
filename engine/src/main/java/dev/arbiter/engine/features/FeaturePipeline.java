package dev.arbiter.engine.features;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.TreeSet;
import java.util.zip.CRC32;

/**
 * Streaming features of one series: O(1) work and no allocation per observation. One per series; not
 * thread-safe: the caller serialises every call on a series ({@link #latest} and {@link #writeState} recompute the
 * features in the pipeline's scratch space, as an update does).
 *
 * <h2>Definitions and warm-up</h2>
 * Observation {@code i} is 0-based; "returns" are log returns {@code ln(close[i] / close[i-1])}, so the first
 * return exists at observation 1. Values during warm-up follow ta4j 0.21, so parity holds from the first index
 * where ta4j defines a value:
 * <ul>
 *   <li>{@code sma_n}: mean of the last {@code min(n, i+1)} closes (partial window from observation 0, as ta4j).</li>
 *   <li>{@code ema_n}: NaN for observations 0..n-1, seeded with close[n], then {@code ema += 2/(n+1) * (close - ema)}
 *       (ta4j's EMAIndicator and its n unstable bars).</li>
 *   <li>{@code vol_n}: population standard deviation (divides by the count, as ta4j's StandardDeviationIndicator)
 *       of the last {@code min(n, i)} returns; NaN at observation 0.</li>
 *   <li>{@code atr_n}: NaN for observations 0..n-1, seeded with the true range of observation n, then Wilder
 *       smoothing (ta4j's ATRIndicator). True range falls back to {@code |close - prevClose|} when high or low is
 *       NaN.</li>
 *   <li>{@code mom_n} = {@code close - close[i-n]} and {@code roc_n} = {@code 100 * (close - close[i-n]) / close[i-n]},
 *       reading close[0] while {@code i < n} (as ta4j's ROCIndicator); both 0 at observation 0.</li>
 *   <li>{@code skew_n}, {@code kurt_n}: population skewness {@code m3 / m2^1.5} and excess kurtosis
 *       {@code m4 / m2^2 - 3} of the last {@code min(n, i)} returns; NaN at observation 0; 0 when the window's
 *       variance is 0.</li>
 *   <li>{@code efficiency_ratio_n}: {@code |close - close[i-n]| / sum of the last min(n, i) |close moves|},
 *       in [0, 1]; 0 when the path has no length (including observation 0).</li>
 *   <li>{@code vol_cluster_s_l}: {@code vol_s / vol_l} over returns; NaN at observation 0; 1 when both are 0.</li>
 *   <li>{@code tod_sin}, {@code tod_cos}, {@code dow_sin}, {@code dow_cos}: see {@link CyclicalTime}; from
 *       {@code tsMicros} plus the configured UTC offset, Monday 00:00 is (0, 1, 0, 1).</li>
 *   <li>{@code drawdown}: {@code close / max(close so far) - 1}, at most 0.</li>
 * </ul>
 * {@link #warm()} turns true at {@link #warmUpObservations()}: the first observation at which every window has
 * filled (n closes for an SMA, n returns for return windows and the efficiency ratio, n + 1 observations for an
 * EMA, the ATR and momentum).
 *
 * <h2>Inputs</h2>
 * {@code close} must be finite and positive (returns are logarithmic); {@code tsMicros} must increase strictly;
 * {@code high} and {@code low} may be NaN (absent) but not infinite; {@code open} and {@code volume} are not
 * used by version 1 of the set. A rejected observation throws {@link IllegalArgumentException} before any state
 * changes.
 *
 * <h2>State</h2>
 * {@link #writeState} writes a header (magic "ARBF", format version, the schema hash, body length, CRC-32 of the
 * body) and every field of every window, so a restored pipeline continues bit-for-bit identically.
 */
public final class FeaturePipeline {

    private static final int MAGIC = 0x41524246; // "ARBF"
    private static final int FORMAT_VERSION = 1;
    private static final int HEADER_BYTES = 5 * Integer.BYTES;

    private final FeatureConfig config;
    private final FeatureSchema schema;
    private final int size;
    private final int warmUpObservations;
    private final int momentumWindow;

    private final CloseHistory history;
    private final int smaCount;
    private final ExponentialAverages emas;
    private final int emaCount;
    /** One window per distinct returns length (volatility, moments, clustering share them). */
    private final ReturnWindows returns;
    private final int[] returnWindows;
    private final int volatilityCount;
    private final AverageTrueRange atr;
    private final EfficiencyRatio efficiencyRatio;
    private final Drawdown drawdown;
    private final CyclicalTime time;

    private long count;
    private long lastTsMicros;
    private double prevClose;

    private final int bodyBytes;

    /** A pipeline for this configuration, before its first observation. */
    public FeaturePipeline(FeatureConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config is null; pass FeatureConfig.defaults() or a built config");
        }
        this.config = config;
        this.schema = FeatureSchema.of(config);
        this.size = schema.size();
        this.momentumWindow = config.momentumWindow();

        int[] sma = config.smaWindows();
        this.history = new CloseHistory(sma, Math.max(config.momentumWindow(), config.regimeWindow()));
        this.smaCount = sma.length;
        int[] ema = config.emaWindows();
        this.emas = new ExponentialAverages(ema);
        this.emaCount = ema.length;

        TreeSet<Integer> distinct = new TreeSet<>();
        int[] vol = config.volatilityWindows();
        for (int w : vol) {
            distinct.add(w);
        }
        distinct.add(config.volClusterShortWindow());
        distinct.add(config.volClusterLongWindow());
        distinct.add(config.momentsWindow());
        this.returnWindows = distinct.stream().mapToInt(Integer::intValue).toArray();
        int[] volatilitySlots = new int[vol.length];
        for (int i = 0; i < vol.length; i++) {
            volatilitySlots[i] = slotOf(vol[i]);
        }
        this.returns = new ReturnWindows(returnWindows, slotOf(config.momentsWindow()), volatilitySlots,
                slotOf(config.volClusterShortWindow()), slotOf(config.volClusterLongWindow()));
        this.volatilityCount = vol.length;

        this.atr = new AverageTrueRange(config.atrWindow());
        this.efficiencyRatio = new EfficiencyRatio(config.regimeWindow());
        this.drawdown = new Drawdown();
        this.time = new CyclicalTime(config.utcOffsetMinutes());

        int warm = 1;
        for (int w : sma) {
            warm = Math.max(warm, w);
        }
        for (int w : ema) {
            warm = Math.max(warm, w + 1);
        }
        for (int w : returnWindows) {
            warm = Math.max(warm, w + 1);
        }
        warm = Math.max(warm, config.atrWindow() + 1);
        warm = Math.max(warm, config.momentumWindow() + 1);
        warm = Math.max(warm, config.regimeWindow() + 1);
        this.warmUpObservations = warm;

        int body = 2 * Long.BYTES + Double.BYTES * (1 + size) + history.stateBytes() + returns.stateBytes();
        body += emas.stateBytes() + atr.stateBytes() + efficiencyRatio.stateBytes() + drawdown.stateBytes();
        this.bodyBytes = body;

        reset();
    }

    private int slotOf(int window) {
        for (int i = 0; i < returnWindows.length; i++) {
            if (returnWindows[i] == window) {
                return i;
            }
        }
        throw new IllegalStateException("no returns window " + window);
    }

    /** The configuration this pipeline computes. */
    public FeatureConfig config() {
        return config;
    }

    /** Names and parameters of the features, in output order. */
    public FeatureSchema schema() {
        return schema;
    }

    /** Number of features written per observation. */
    public int size() {
        return size;
    }

    /**
     * Absorbs one observation and writes {@link #size()} features into {@code out[offset..]}. No allocation.
     *
     * @param tsMicros microseconds since the epoch, strictly increasing
     * @param open     not used by version 1 (may be NaN)
     * @param high     high of the observation, or NaN when absent
     * @param low      low of the observation, or NaN when absent
     * @param close    finite and positive
     * @param volume   not used by version 1 (may be NaN)
     * @throws IllegalArgumentException for a bad close, high, low or timestamp, before any state changes
     */
    public void update(long tsMicros, double open, double high, double low, double close, double volume,
                       double[] out, int offset) {
        if (!(close > 0.0) || close == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("close is " + close + " at ts_micros " + tsMicros
                    + "; send a finite positive number");
        }
        if (count > 0 && tsMicros <= lastTsMicros) {
            throw new IllegalArgumentException("ts_micros " + tsMicros + " does not follow the last observation ("
                    + lastTsMicros + "); send observations of a series in strictly increasing time");
        }
        if (Double.isInfinite(high) || Double.isInfinite(low)) {
            throw new IllegalArgumentException("high/low is infinite (" + high + "/" + low + ") at ts_micros "
                    + tsMicros + "; send finite numbers or NaN for absent");
        }
        Objects.checkFromIndexSize(offset, size, out.length);

        boolean hasPrev = count > 0;
        history.push(close);
        emas.update(close);
        if (hasPrev) {
            returns.add(LogReturn.of(close / prevClose));
        }
        atr.update(high, low, close, prevClose, hasPrev);
        efficiencyRatio.update(close, prevClose, hasPrev);
        drawdown.update(close);
        prevClose = close;
        lastTsMicros = tsMicros;
        count++;
        write(out, offset);
    }

    /**
     * Writes the features of the state after the last update: what that update wrote. Kept apart from the update so
     * that {@link #latest} recomputes them from the state instead of the update copying its output aside (reading
     * 21 values back right after storing them stalled the update on store forwarding: 15 % of its time).
     */
    private void write(double[] out, int offset) {
        boolean hasReturns = count > 1;
        int k = offset;
        history.writeAverages(out, k);
        k += smaCount;
        emas.write(out, k);
        k += emaCount;
        if (hasReturns) {
            returns.updateStdDevs();
        }
        returns.writeVolatilities(out, k);
        k += volatilityCount;
        out[k++] = atr.value();
        double close = prevClose;
        double lagged = history.ago(momentumWindow);
        out[k++] = close - lagged;
        out[k++] = (close - lagged) / lagged * 100.0;
        if (hasReturns) {
            returns.writeMomentsAndClustering(out, k, k + 3);
        } else {
            out[k] = Double.NaN;
            out[k + 1] = Double.NaN;
            out[k + 3] = Double.NaN;
        }
        out[k + 2] = efficiencyRatio.value(close, history);
        k += 4;
        time.write(lastTsMicros, out, k);
        k += 4;
        out[k] = drawdown.value(close);
    }

    /**
     * Writes the features of the last update into {@code out[offset..]}, bit for bit what it wrote (they are
     * recomputed from the state); NaN before the first update.
     */
    public void latest(double[] out, int offset) {
        Objects.checkFromIndexSize(offset, size, out.length);
        if (count == 0) {
            Arrays.fill(out, offset, offset + size, Double.NaN);
        } else {
            write(out, offset);
        }
    }

    /** Observations absorbed since construction or the last reset. */
    public long count() {
        return count;
    }

    /** Timestamp of the last observation, {@link Long#MIN_VALUE} before the first. */
    public long lastTsMicros() {
        return lastTsMicros;
    }

    /** True once every window has filled, i.e. after {@link #warmUpObservations()} observations. */
    public boolean warm() {
        return count >= warmUpObservations;
    }

    /** Observations needed before {@link #warm()}: 51 with the defaults. */
    public int warmUpObservations() {
        return warmUpObservations;
    }

    /** Forgets every observation. */
    public void reset() {
        history.reset();
        returns.reset();
        emas.reset();
        atr.reset();
        efficiencyRatio.reset();
        drawdown.reset();
        count = 0;
        lastTsMicros = Long.MIN_VALUE;
        prevClose = Double.NaN;
    }

    /** Exact number of bytes {@link #writeState} writes. */
    public int stateSizeBytes() {
        return HEADER_BYTES + bodyBytes;
    }

    /**
     * Writes the complete state at the buffer's position (big-endian whatever the buffer's order) and advances it
     * by {@link #stateSizeBytes()}.
     *
     * @throws IllegalArgumentException if fewer bytes remain
     */
    public void writeState(ByteBuffer buf) {
        if (buf.remaining() < stateSizeBytes()) {
            throw new IllegalArgumentException("buffer has " + buf.remaining() + " bytes remaining but the feature"
                    + " state needs " + stateSizeBytes() + "; allocate stateSizeBytes()");
        }
        ByteOrder order = buf.order();
        buf.order(ByteOrder.BIG_ENDIAN);
        try {
            int start = buf.position();
            buf.position(start + HEADER_BYTES);
            buf.putLong(count).putLong(lastTsMicros).putDouble(prevClose);
            putLatest(buf);
            history.write(buf);
            returns.write(buf);
            emas.write(buf);
            atr.write(buf);
            efficiencyRatio.write(buf);
            drawdown.write(buf);
            int end = buf.position();
            if (end - start != stateSizeBytes()) {
                throw new IllegalStateException("feature state wrote " + (end - start) + " bytes, expected "
                        + stateSizeBytes());
            }
            buf.putInt(start, MAGIC)
                    .putInt(start + 4, FORMAT_VERSION)
                    .putInt(start + 8, schema.hash32())
                    .putInt(start + 12, bodyBytes)
                    .putInt(start + 16, crc(buf, start + HEADER_BYTES, end));
        } finally {
            buf.order(order);
        }
    }

    /**
     * Replaces this pipeline's state with one written by {@link #writeState} for the same configuration, and
     * advances the buffer past it.
     *
     * @throws IllegalArgumentException if the buffer is short, is not a feature state, has another format
     *     version or schema, or fails its checksum; this pipeline and the buffer's position are then unchanged
     */
    public void readState(ByteBuffer buf) {
        int start = buf.position();
        int available = buf.remaining();
        if (available < HEADER_BYTES) {
            throw new IllegalArgumentException("feature state is truncated: " + available
                    + " bytes remaining, the header alone is " + HEADER_BYTES);
        }
        ByteOrder order = buf.order();
        buf.order(ByteOrder.BIG_ENDIAN);
        try {
            int magic = buf.getInt(start);
            if (magic != MAGIC) {
                throw new IllegalArgumentException(String.format("not a feature state: magic 0x%08x, expected"
                        + " 0x%08x (\"ARBF\")", magic, MAGIC));
            }
            int version = buf.getInt(start + 4);
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("feature state format version " + version
                        + " is not supported; this build reads version " + FORMAT_VERSION);
            }
            int hash = buf.getInt(start + 8);
            if (hash != schema.hash32()) {
                throw new IllegalArgumentException(String.format("feature state was written for schema"
                        + " features-v%d-%08x but this pipeline computes %s with %s; restore with the same"
                        + " FeatureConfig, or rebuild the state by replaying observations",
                        FeatureSchema.VERSION, hash, schema.id(), schema.parameters()));
            }
            int body = buf.getInt(start + 12);
            if (body != bodyBytes) {
                throw new IllegalArgumentException("feature state body is " + body + " bytes but schema "
                        + schema.id() + " has " + bodyBytes);
            }
            if (available < HEADER_BYTES + body) {
                throw new IllegalArgumentException("feature state is truncated: " + available
                        + " bytes remaining, expected " + (HEADER_BYTES + body));
            }
            int expectedCrc = buf.getInt(start + 16);
            int actualCrc = crc(buf, start + HEADER_BYTES, start + HEADER_BYTES + body);
            if (expectedCrc != actualCrc) {
                throw new IllegalArgumentException(String.format("feature state is corrupt: CRC-32 0x%08x of the"
                        + " body does not match 0x%08x in the header", actualCrc, expectedCrc));
            }
            buf.position(start + HEADER_BYTES);
            try {
                readBody(buf);
            } catch (RuntimeException e) {
                reset();
                buf.position(start);
                throw e instanceof IllegalArgumentException ? e
                        : new IllegalArgumentException("feature state is inconsistent: " + e, e);
            }
        } finally {
            buf.order(order);
        }
    }

    private void readBody(ByteBuffer buf) {
        long c = buf.getLong();
        long ts = buf.getLong();
        if (c < 0) {
            throw new IllegalArgumentException("feature state is inconsistent: count " + c);
        }
        count = c;
        lastTsMicros = ts;
        prevClose = buf.getDouble();
        // The latest features are recomputed from the state (see latest()); the copy is skipped.
        buf.position(buf.position() + Double.BYTES * size);
        history.read(buf);
        returns.read(buf);
        emas.read(buf);
        atr.read(buf, "atr_" + config.atrWindow());
        efficiencyRatio.read(buf, "efficiency_ratio_" + config.regimeWindow(), history);
        drawdown.read(buf);
    }

    /**
     * Writes the latest features where format version 1 keeps them: {@link #latest} recomputes them from the rest
     * of the state, so they are redundant, but they stay in the format so that snapshots written before and after
     * this change read the same.
     */
    private void putLatest(ByteBuffer buf) {
        double[] latest = new double[size];
        latest(latest, 0);
        StateIo.putAll(buf, latest);
    }

    private static int crc(ByteBuffer buf, int from, int to) {
        ByteBuffer view = buf.duplicate();
        view.limit(to).position(from);
        CRC32 crc = new CRC32();
        crc.update(view);
        return (int) crc.getValue();
    }
}
