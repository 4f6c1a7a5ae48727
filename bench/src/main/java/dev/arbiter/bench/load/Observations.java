package dev.arbiter.bench.load;

import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Observation;
import java.util.SplittableRandom;

/**
 * Seeded observations: one geometric random walk (OHLCV bars around 100) per series. Request i goes to series
 * i mod N at that series' next timestamp, one minute after its previous one, so a series' timestamps strictly
 * increase over the whole run. Used by the scheduling thread only.
 */
final class Observations {

    private static final long STEP_MICROS = 60_000_000L;
    /** Standard deviation of one step's log return. */
    private static final double VOLATILITY = 0.001;

    private final String[] seriesIds;
    private final double[] level;
    private final long[] nextTsMicros;
    private final SplittableRandom random;

    Observations(String prefix, int series, long seed, long startTsMicros) {
        seriesIds = new String[series];
        level = new double[series];
        nextTsMicros = new long[series];
        random = new SplittableRandom(seed);
        for (int s = 0; s < series; s++) {
            seriesIds[s] = prefix + s;
            level[s] = 100;
            nextTsMicros[s] = startTsMicros;
        }
    }

    /** The series request {@code i} goes to. */
    int series(long i) {
        return (int) (i % seriesIds.length);
    }

    /** Observation {@code i} of the sequence (the next of series i mod N). */
    Observation observation(long i) {
        return next(series(i));
    }

    DecideRequest request(long i, int latencyBudgetMs) {
        return DecideRequest.newBuilder().setObservation(next(series(i))).setLatencyBudgetMs(latencyBudgetMs).build();
    }

    private Observation next(int s) {
        double open = level[s];
        double close = open * Math.exp(VOLATILITY * random.nextGaussian());
        level[s] = close;
        long ts = nextTsMicros[s];
        nextTsMicros[s] += STEP_MICROS;
        return Observation.newBuilder()
                .setSeriesId(seriesIds[s])
                .setTsMicros(ts)
                .setValue(close)
                .setOpen(open)
                .setHigh(Math.max(open, close) * (1 + VOLATILITY * random.nextDouble()))
                .setLow(Math.min(open, close) * (1 - VOLATILITY * random.nextDouble()))
                .setVolume(100 + random.nextInt(900))
                .build();
    }
}
