package dev.arbiter.engine.features;

/**
 * Time of day and day of week as points on the unit circle, from microseconds since the epoch plus a fixed UTC
 * offset, with floor arithmetic (correct before 1970) and no java.time on the hot path.
 *
 * <p>The time-of-day angle is split into a whole minute, whose sine and cosine come from a table built once with
 * Math.sin/cos, and the rest of the minute (under 0.0044 rad), whose sine and cosine are Taylor polynomials
 * exact to double precision (multiplications only); the angle-addition formulas combine them to within 2 ulp of Math.sin/cos, without
 * their cost; on a whole minute (most series) the table's pair is the answer. The day-of-week pair comes from a
 * table of the seven days, and the day's start is cached, so a daily series (a new day every observation) costs no
 * Math.sin/cos either.
 */
final class CyclicalTime {

    static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final long MICROS_PER_MINUTE = 60_000_000L;
    private static final int MINUTES_PER_DAY = 1440;
    private static final double TWO_PI = 2.0 * Math.PI;
    private static final double RADIANS_PER_MICRO = TWO_PI / MICROS_PER_DAY;
    private static final double MINUTES_PER_MICRO = 1.0 / MICROS_PER_MINUTE;
    private static final double SIN_3 = -1.0 / 6.0;
    private static final double SIN_5 = 1.0 / 120.0;
    private static final double COS_2 = -0.5;
    private static final double COS_4 = 1.0 / 24.0;
    private static final double COS_6 = -1.0 / 720.0;
    /** sin and cos of each whole minute's angle, interleaved. */
    private static final double[] MINUTE_SIN_COS = new double[2 * MINUTES_PER_DAY];
    /** sin and cos of each weekday's angle (d = 0 is Monday), interleaved: daily series change day every time. */
    private static final double[] DAY_SIN_COS = new double[2 * 7];

    static {
        for (int m = 0; m < MINUTES_PER_DAY; m++) {
            double angle = TWO_PI * m / MINUTES_PER_DAY;
            MINUTE_SIN_COS[2 * m] = Math.sin(angle);
            MINUTE_SIN_COS[2 * m + 1] = Math.cos(angle);
        }
        for (int d = 0; d < 7; d++) {
            double angle = TWO_PI * d / 7.0;
            DAY_SIN_COS[2 * d] = Math.sin(angle);
            DAY_SIN_COS[2 * d + 1] = Math.cos(angle);
        }
    }

    private final long offsetMicros;
    private boolean hasDay;
    private long dayStart;
    private double dowSin;
    private double dowCos;

    CyclicalTime(int utcOffsetMinutes) {
        this.offsetMicros = utcOffsetMinutes * 60_000_000L;
    }

    /**
     * Writes tod_sin, tod_cos (angle 2 pi * time of day / 24 h, so midnight is (0, 1) and noon (0, -1)) and
     * dow_sin, dow_cos (angle 2 pi * d / 7 with Monday d = 0 .. Sunday d = 6, so Monday is (0, 1)).
     */
    void write(long tsMicros, double[] out, int k) {
        long local = tsMicros + offsetMicros;
        long micros = local - dayStart;
        if (!hasDay || micros < 0 || micros >= MICROS_PER_DAY) {
            long day = Math.floorDiv(local, MICROS_PER_DAY);
            dayStart = day * MICROS_PER_DAY;
            micros = local - dayStart;
            // 1970-01-01 was a Thursday: day 0 is d = 3.
            int d = (int) Math.floorMod(day + 3, 7L);
            dowSin = DAY_SIN_COS[2 * d];
            dowCos = DAY_SIN_COS[2 * d + 1];
            hasDay = true;
        }
        // micros < 8.64e10 is exact in a double, and a product one ulp off cannot cross a whole minute (micros is
        // an integer), so this is the integer division without its cost.
        int minute = (int) (micros * MINUTES_PER_MICRO);
        long rest = micros - minute * MICROS_PER_MINUTE;
        double sinA = MINUTE_SIN_COS[2 * minute];
        double cosA = MINUTE_SIN_COS[2 * minute + 1];
        out[k + 2] = dowSin;
        out[k + 3] = dowCos;
        if (rest == 0) {
            // On a whole minute (most series): the formulas below give exactly the table's values.
            out[k] = sinA;
            out[k + 1] = cosA;
            return;
        }
        double b = rest * RADIANS_PER_MICRO;
        double b2 = b * b;
        // Horner with the Taylor coefficients as constants: multiplications, where dividing by 6, 12, 20 and 30 took
        // four divisions on the chain (14 % of a whole update on a series off the whole minute, sampled with JFR).
        // The first omitted terms, b^7 / 7! and b^8 / 8!, are below 1e-20.
        double sinB = b + b * b2 * (SIN_3 + b2 * SIN_5);
        double cosB = 1.0 + b2 * (COS_2 + b2 * (COS_4 + b2 * COS_6));
        out[k] = sinA * cosB + cosA * sinB;
        out[k + 1] = cosA * cosB - sinA * sinB;
    }
}
