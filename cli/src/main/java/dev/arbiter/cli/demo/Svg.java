package dev.arbiter.cli.demo;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.Locale;

/**
 * Just enough SVG for the demo report: a titled image holding panels, each mapping data to pixels through an x and
 * a y {@link Axis}, with a frame, grid, tick labels and shapes drawn in data coordinates. Every text is escaped.
 */
public final class Svg {

    static final int WIDTH = 860;
    public static final int PANEL_HEIGHT = 220;
    /** A line over more points than this is thinned to the lowest and highest point of each of half as many x buckets. */
    static final int MAX_POINTS = 2000;
    private static final int LEFT = 64;
    private static final int RIGHT = 32;
    private static final int TOP = 30;
    private static final int BOTTOM = 28;
    private static final int TARGET_TICKS = 5;

    private final StringBuilder out = new StringBuilder();

    /** An image with one panel of the standard height. */
    Svg(String title) {
        this(title, PANEL_HEIGHT);
    }

    /** An image with {@code plotHeight} pixels for its panels, between the title and the x tick labels. */
    public Svg(String title, int plotHeight) {
        int height = TOP + plotHeight + BOTTOM;
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(height).append("\" role=\"img\">");
        text(LEFT, 18, title, "title");
    }

    /** The one panel of an image of the standard height. */
    Panel panel(Axis x, Axis y) {
        return panel(0, PANEL_HEIGHT, x, y);
    }

    /** A panel {@code offset} pixels below the title, {@code height} pixels high. */
    public Panel panel(int offset, int height, Axis x, Axis y) {
        return new Panel(TOP + offset, height, x, y);
    }

    /** The finished image. */
    public String end() {
        return out.append("</svg>").toString();
    }

    /** Text for HTML or SVG: {@code & < > " '} as entities; null as nothing. */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private void text(double x, double y, String s, String cls) {
        out.append("<text class=\"").append(cls).append("\" x=\"").append(tenth(x)).append("\" y=\"").append(tenth(y))
                .append("\">").append(esc(s)).append("</text>");
    }

    private void segment(double x0, double y0, double x1, double y1, String cls) {
        out.append("<line class=\"").append(cls).append("\" x1=\"").append(tenth(x0)).append("\" y1=\"").append(tenth(y0))
                .append("\" x2=\"").append(tenth(x1)).append("\" y2=\"").append(tenth(y1)).append("\"/>");
    }

    /** A pixel coordinate to a tenth, without locale. */
    private static double tenth(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /**
     * A data range [lo, hi] (lo > hi turns the axis upside down) and the ticks to label on it.
     *
     * @param at     tick positions in data units
     * @param labels one label per tick
     */
    public record Axis(double lo, double hi, double[] at, String[] labels) {

        private static final long SECOND = 1_000_000L;
        private static final long DAY = 86_400 * SECOND;
        private static final long[] TIME_STEPS = {SECOND, 5 * SECOND, 15 * SECOND, 30 * SECOND, 60 * SECOND,
            300 * SECOND, 900 * SECOND, 1800 * SECOND, 3600 * SECOND, 3 * 3600 * SECOND, 6 * 3600 * SECOND,
            12 * 3600 * SECOND, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY};

        /** The finite values' range, see {@link #linear}. */
        public static Axis spanning(double... values) {
            DoubleSummaryStatistics s = Arrays.stream(values).filter(Double::isFinite).summaryStatistics();
            return linear(s.getMin(), s.getMax());
        }

        /**
         * [min, max] widened to round ticks about five apart: 1, 2 or 5 times a power of ten. A flat range is widened
         * around its value; a missing one (not finite) is [0, 1].
         */
        public static Axis linear(double min, double max) {
            if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
                min = 0;
                max = 1;
            }
            if (min == max) {
                double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
                min -= pad;
                max += pad;
            }
            double raw = (max - min) / TARGET_TICKS;
            int exp = (int) Math.floor(Math.log10(raw));
            double scaled = raw / Math.pow(10, exp);
            int mantissa = scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10;
            if (mantissa == 10) {
                mantissa = 1;
                exp++;
            }
            double step = mantissa * Math.pow(10, exp);
            long first = (long) Math.floor(min / step + 1e-9);
            long last = (long) Math.ceil(max / step - 1e-9);
            double[] at = new double[(int) (last - first + 1)];
            String[] labels = new String[at.length];
            for (int i = 0; i < at.length; i++) {
                long units = (first + i) * mantissa;
                // dividing a whole number by a power of ten gives the double nearest the decimal: 0.4, not 0.4000000001
                at[i] = exp >= 0 ? units * Math.pow(10, exp) : units / Math.pow(10, -exp);
                labels[i] = String.format(Locale.ROOT, "%." + Math.max(0, -exp) + "f", at[i]);
            }
            return new Axis(at[0], at[at.length - 1], at, labels);
        }

        /**
         * Epoch microseconds [from, to] with ticks on round UTC times, at most about five; labelled {@code yyyy-MM-dd},
         * or {@code MM-dd HH:mm} when the span is under three days ({@code HH:mm:ss} when ticks are seconds apart).
         */
        static Axis time(long from, long to) {
            if (to <= from) {
                from -= 3600 * SECOND;
                to += 3600 * SECOND;
            }
            long span = to - from;
            long step = 365 * DAY * (1 + span / (365 * DAY * TARGET_TICKS));
            for (long candidate : TIME_STEPS) {
                if (span / candidate <= TARGET_TICKS) {
                    step = candidate;
                    break;
                }
            }
            String pattern = step < 60 * SECOND ? "HH:mm:ss" : span < 3 * DAY ? "MM-dd HH:mm" : "yyyy-MM-dd";
            DateTimeFormatter format = DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
            long first = -Math.floorDiv(-from, step) * step;
            int n = (int) Math.max(0, Math.floorDiv(to - first, step) + 1);
            double[] at = new double[n];
            String[] labels = new String[n];
            for (int i = 0; i < n; i++) {
                long t = first + i * step;
                at[i] = t;
                labels[i] = format.format(Instant.ofEpochSecond(Math.floorDiv(t, SECOND)));
            }
            return new Axis(from, to, at, labels);
        }

        /** The same axis drawn with lo at the top. */
        Axis upsideDown() {
            return new Axis(hi, lo, at, labels);
        }
    }

    /**
     * At most {@link #MAX_POINTS} of the points (xs ascending): each of {@code MAX_POINTS / 2} equal x buckets of
     * [lo, hi] keeps its lowest and highest point, in their order, so spikes survive.
     */
    static double[][] thin(double[] xs, double[] ys, double lo, double hi) {
        int n = xs.length;
        if (n <= MAX_POINTS) {
            return new double[][] {xs, ys};
        }
        int buckets = MAX_POINTS / 2;
        double[] tx = new double[n];
        double[] ty = new double[n];
        int m = 0;
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i < n && bucket(xs[i], lo, hi, buckets) == bucket(xs[start], lo, hi, buckets)) {
                continue;
            }
            int low = start;
            int high = start;
            for (int j = start + 1; j < i; j++) {
                low = ys[j] < ys[low] ? j : low;
                high = ys[j] > ys[high] ? j : high;
            }
            tx[m] = xs[Math.min(low, high)];
            ty[m++] = ys[Math.min(low, high)];
            if (low != high) {
                tx[m] = xs[Math.max(low, high)];
                ty[m++] = ys[Math.max(low, high)];
            }
            start = i;
        }
        return new double[][] {Arrays.copyOf(tx, m), Arrays.copyOf(ty, m)};
    }

    private static int bucket(double x, double lo, double hi, int buckets) {
        return (int) Math.max(0, Math.min(buckets - 1, (x - lo) / (hi - lo) * buckets));
    }

    /** A plotting area: draws in data coordinates. */
    public final class Panel {

        private final double top;
        private final double height;
        private final double width = WIDTH - LEFT - RIGHT;
        private final Axis x;
        private final Axis y;

        private Panel(double top, double height, Axis x, Axis y) {
            this.top = top;
            this.height = height;
            this.x = x;
            this.y = y;
        }

        private double px(double v) {
            return LEFT + (v - x.lo) / (x.hi - x.lo) * width;
        }

        private double py(double v) {
            return top + height - (v - y.lo) / (y.hi - y.lo) * height;
        }

        /** Grid, y tick labels, x tick labels when {@code xLabels} (a panel above another shares the lower one's). */
        public Panel axes(boolean xLabels) {
            for (int i = 0; i < y.at.length; i++) {
                segment(LEFT, py(y.at[i]), LEFT + width, py(y.at[i]), "grid");
                text(LEFT - 6, py(y.at[i]) + 4, y.labels[i], "ylabel");
            }
            for (int i = 0; i < x.at.length; i++) {
                segment(px(x.at[i]), top, px(x.at[i]), top + height, "grid");
                if (xLabels) {
                    text(px(x.at[i]), top + height + 16, x.labels[i], "xlabel");
                }
            }
            out.append("<rect class=\"frame\" x=\"").append(LEFT).append("\" y=\"").append(tenth(top))
                    .append("\" width=\"").append(tenth(width)).append("\" height=\"").append(tenth(height))
                    .append("\"/>");
            return this;
        }

        /** A centred message, for a plot without data. */
        public Panel note(String message) {
            text(LEFT + width / 2, top + height / 2, message, "note");
            return this;
        }

        /** A line through the points (xs ascending), thinned to {@link #MAX_POINTS}. */
        public Panel polyline(double[] xs, double[] ys, String cls) {
            if (xs.length > 0) {
                out.append("<polyline class=\"").append(cls).append("\" points=\"");
                points(xs, ys);
                out.append("\"/>");
            }
            return this;
        }

        /** The area between the line through the points (xs ascending) and {@code base}, thinned like a polyline. */
        Panel area(double[] xs, double[] ys, double base, String cls) {
            if (xs.length > 0) {
                out.append("<polygon class=\"").append(cls).append("\" points=\"");
                points(xs, ys);
                points(new double[] {xs[xs.length - 1], xs[0]}, new double[] {base, base});
                out.append("\"/>");
            }
            return this;
        }

        private void points(double[] xs, double[] ys) {
            double[][] kept = thin(xs, ys, x.lo, x.hi);
            for (int i = 0; i < kept[0].length; i++) {
                out.append(tenth(px(kept[0][i]))).append(',').append(tenth(py(kept[1][i]))).append(' ');
            }
        }

        /** A triangle of side about ten pixels centred on the point, pointing up or down. */
        Panel triangle(double vx, double vy, boolean up, String cls) {
            double cx = tenth(px(vx));
            double cy = tenth(py(vy));
            int tip = up ? -5 : 5;
            out.append("<path class=\"").append(cls).append("\" d=\"M").append(cx).append(',').append(cy + tip)
                    .append("l5,").append(-2 * tip).append("h-10z\"/>");
            return this;
        }

        /** A bar per non-empty bin: bin i spans edges[i]..edges[i + 1] and rises from base[i] (0 without base). */
        Panel bars(double[] edges, int[] base, int[] counts, String cls) {
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    continue;
                }
                int from = base == null ? 0 : base[i];
                double x0 = px(edges[i]);
                double y1 = py(from + counts[i]);
                out.append("<rect class=\"").append(cls).append("\" x=\"").append(tenth(x0)).append("\" y=\"")
                        .append(tenth(y1)).append("\" width=\"").append(tenth(px(edges[i + 1]) - x0))
                        .append("\" height=\"").append(tenth(py(from) - y1)).append("\"/>");
            }
            return this;
        }

        /** A straight line between two points. */
        Panel line(double x0, double y0, double x1, double y1, String cls) {
            segment(px(x0), py(y0), px(x1), py(y1), cls);
            return this;
        }

        /** A vertical line across the panel, labelled at the top, {@code row} lines down so labels do not overlap. */
        Panel marker(double vx, String cls, String label, int row) {
            segment(px(vx), top, px(vx), top + height, cls);
            beside(px(vx), top + 12 + 12 * row, 4, label);
            return this;
        }

        /** A circle of radius {@code r} pixels, labelled beside it, with a tooltip. */
        public Panel circle(double vx, double vy, double r, String cls, String label, String tooltip) {
            out.append("<circle class=\"").append(cls).append("\" cx=\"").append(tenth(px(vx))).append("\" cy=\"")
                    .append(tenth(py(vy))).append("\" r=\"").append(tenth(r)).append("\"><title>")
                    .append(esc(tooltip)).append("</title></circle>");
            beside(px(vx), py(vy) + 4, r + 3, label);
            return this;
        }

        /** A label {@code gap} pixels right of x, or left of it near the panel's right edge so it is not cut off. */
        private void beside(double x, double y, double gap, String label) {
            boolean left = x > LEFT + width * 0.85;
            text(left ? x - gap : x + gap, y, label, left ? "label end" : "label");
        }
    }
}
