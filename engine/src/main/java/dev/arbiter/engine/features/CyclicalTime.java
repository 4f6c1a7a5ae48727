package dev.arbiter.engine.features;

/**
 * Time of day and day of week as points on the unit circle, from microseconds since the epoch plus a fixed UTC
 * offset, with floor arithmetic (correct before 1970) and no java.time on the hot path. Stateless apart from a
 * cache of the day-of-week pair, a pure function of the day.
 */
final class CyclicalTime {

    static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final double TWO_PI = 2.0 * Math.PI;

    private final long offsetMicros;
    private long cachedDay = Long.MIN_VALUE;
    private double cachedDowSin;
    private double cachedDowCos;

    CyclicalTime(int utcOffsetMinutes) {
        this.offsetMicros = utcOffsetMinutes * 60_000_000L;
    }

    /**
     * Writes tod_sin, tod_cos (angle 2 pi * time of day / 24 h, so midnight is (0, 1) and noon (0, -1)) and
     * dow_sin, dow_cos (angle 2 pi * d / 7 with Monday d = 0 .. Sunday d = 6, so Monday is (0, 1)).
     */
    void write(long tsMicros, double[] out, int k) {
        long local = tsMicros + offsetMicros;
        long day = Math.floorDiv(local, MICROS_PER_DAY);
        double angle = TWO_PI * ((local - day * MICROS_PER_DAY) / (double) MICROS_PER_DAY);
        out[k] = Math.sin(angle);
        out[k + 1] = Math.cos(angle);
        if (day != cachedDay) {
            // 1970-01-01 was a Thursday: day 0 is d = 3.
            double dowAngle = TWO_PI * Math.floorMod(day + 3, 7L) / 7.0;
            cachedDowSin = Math.sin(dowAngle);
            cachedDowCos = Math.cos(dowAngle);
            cachedDay = day;
        }
        out[k + 2] = cachedDowSin;
        out[k + 3] = cachedDowCos;
    }
}
