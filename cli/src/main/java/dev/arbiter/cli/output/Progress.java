package dev.arbiter.cli.output;

import java.io.PrintWriter;

/**
 * A text progress bar on standard error: redrawn in place on a terminal ({@code \r} and erase-to-end-of-line), one
 * plain line per tenth or per new kind of message otherwise, so logs and pipes stay readable. No dependency.
 */
public final class Progress {

    private static final int BAR_WIDTH = 30;
    private static final int MAX_MESSAGE = 70;
    /** A detail alone (a counter) redraws the bar at most this often: a terminal cannot show more. */
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final ProgressMode mode;
    private final String label;
    private int lastPercent = -1;
    private int lastTenth = -1;
    private String lastMessage = "";
    private String lastText = "";
    private String lastShape = "";
    private long lastDrawNanos;
    private boolean drawn;

    public Progress(PrintWriter err, ProgressMode mode, String label) {
        this.err = err;
        this.mode = mode.resolve();
        this.label = label;
    }

    /** Shows {@code fraction} (clamped to [0, 1]) with a one-line message. */
    public void update(double fraction, String message) {
        update(fraction, message, "");
    }

    /**
     * Shows {@code fraction} with a message and a detail that changes often (a byte or row count): a new detail
     * alone redraws the bar at most every 100 ms and never makes a plain line of its own.
     */
    public synchronized void update(double fraction, String message, String detail) {
        double f = Double.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) : 0;
        int percent = (int) Math.floor(f * 100);
        String m = message == null ? "" : message;
        String text = shorten((m + " " + (detail == null ? "" : detail)).trim());
        switch (mode) {
            case BAR -> {
                boolean changed = percent != lastPercent || !m.equals(lastMessage);
                if (!changed && (text.equals(lastText) || System.nanoTime() - lastDrawNanos < REDRAW_NANOS)) {
                    return;
                }
                int filled = (int) Math.round(f * BAR_WIDTH);
                err.print("\r" + label + " [" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] "
                        + String.format("%3d%%", percent) + (text.isEmpty() ? "" : " " + text) + "\033[K");
                err.flush();
                drawn = true;
                lastDrawNanos = System.nanoTime();
            }
            case LINES -> {
                // A message that differs only in its numbers ("boosting round 45 of 200") is a counter: a line per tenth.
                int tenth = percent / 10;
                String shape = m.replaceAll("\\d+", "#");
                if (tenth == lastTenth && shape.equals(lastShape)) {
                    return;
                }
                lastShape = shape;
                err.println(label + ": " + percent + "%" + (text.isEmpty() ? "" : " " + text));
                err.flush();
                lastTenth = tenth;
            }
            default -> {
                return;
            }
        }
        lastPercent = percent;
        lastMessage = m;
        lastText = text;
    }

    /** Ends the bar (at 100 %) with a closing message on its own line. */
    public synchronized void finish(String message) {
        switch (mode) {
            case BAR -> {
                update(1, message);
                err.println();
            }
            case LINES -> {
                if (lastPercent < 100 || !message.equals(lastMessage)) {
                    err.println(label + ": 100%" + (message.isEmpty() ? "" : " " + message));
                }
            }
            default -> {
                return;
            }
        }
        err.flush();
    }

    /** Leaves the bar where it is (on failure), so the next line does not overwrite it. */
    public synchronized void abandon() {
        if (mode == ProgressMode.BAR && drawn) {
            err.println();
            err.flush();
        }
    }

    private static String shorten(String m) {
        return m.length() <= MAX_MESSAGE ? m : m.substring(0, MAX_MESSAGE - 3) + "...";
    }
}
