package dev.arbiter.cli.output;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How numbers, times and sizes are written in the CLI's output: always the same way, independent of the locale. */
public final class Fmt {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Fmt() {
    }

    /** Epoch microseconds as UTC ISO-8601, to the second (fractions only when there are any). */
    public static String time(long tsMicros) {
        if (tsMicros == 0) {
            return "-";
        }
        Instant t = Instant.ofEpochSecond(Math.floorDiv(tsMicros, 1_000_000L), Math.floorMod(tsMicros, 1_000_000L) * 1000);
        return t.getNano() == 0 ? SECONDS.format(t) : t.toString();
    }

    /** Epoch microseconds as UTC ISO-8601 to the second, for when something happened (created, updated). */
    public static String moment(long tsMicros) {
        return tsMicros == 0 ? "-" : SECONDS.format(Instant.ofEpochSecond(Math.floorDiv(tsMicros, 1_000_000L)));
    }

    /** A real number with {@code digits} decimals; NaN and infinities as such. */
    public static String num(double v, int digits) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    /** A signed real number ({@code +0.0123}), for pnl. */
    public static String signed(double v, int digits) {
        return Double.isFinite(v) && v >= 0 ? "+" + num(v, digits) : num(v, digits);
    }

    /** A whole number with thousands separators: 12,345. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A fraction as a percentage with one decimal: 0.4567 is 45.7%. */
    public static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f%%", fraction * 100) : "-";
    }

    /** Bytes in B, KiB, MiB or GiB. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Milliseconds as "850 ms", "12.3 s" or "4 min 05 s". */
    public static String duration(long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return String.format(Locale.ROOT, "%d min %02d s", ms / 60_000, (ms / 1000) % 60);
    }
}
