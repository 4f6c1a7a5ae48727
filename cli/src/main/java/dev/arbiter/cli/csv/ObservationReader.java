package dev.arbiter.cli.csv;

import dev.arbiter.cli.client.UsageError;
import dev.arbiter.proto.v1.Observation;
import java.io.IOException;
import java.io.Reader;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads observations from a CSV on the client side (for decide and features ingest), as {@link CsvOptions} maps its
 * columns. A row that cannot become an observation (an unparsable number or time, a missing field) is handed back as
 * rejected with its line number; values that parse but that a service refuses (NaN, high below low) are sent, so the
 * service's own message explains them.
 */
public final class ObservationReader implements ObservationFeed.Rows {

    /** One row: an observation, or why the row was skipped. */
    public record Row(long line, Observation observation, String column, String reason) {
        public boolean rejected() {
            return observation == null;
        }

        /** A rejected row for people: "line 4: skipped, column close: 'oops' is not a number". */
        public String describe() {
            return "line " + line + ": skipped" + (column == null || column.isEmpty() ? "" : ", column " + column) + ": " + reason;
        }
    }

    private final CsvRecords records;
    private final TimeValues times;
    private final String seriesId;
    private final int series;
    private final int time;
    private final int value;
    private final int open;
    private final int high;
    private final int low;
    private final int volume;
    private final List<String> names;

    /**
     * Reads the header (when there is one) and resolves the columns.
     *
     * @param seriesId     the series every row belongs to, or null with {@code seriesColumn}
     * @param seriesColumn the column that names each row's series, or null
     * @throws UsageError for a column the CSV does not have, listing those it has
     */
    public ObservationReader(Reader in, CsvOptions options, String seriesId, String seriesColumn) throws IOException {
        this.records = new CsvRecords(in, options.delimiterChar());
        this.times = options.timeValues();
        this.seriesId = seriesId;
        List<String> header = null;
        if (!options.noHeader) {
            CsvRecords.Record h = records.next();
            if (h == null) {
                throw new UsageError("the CSV is empty: it has no header line (pass --no-header for a CSV without one)");
            }
            if (h.error() != null) {
                throw new UsageError("the CSV header cannot be read: " + h.error());
            }
            header = h.fields();
        }
        this.names = new ArrayList<>();
        this.time = column(header, "--time-col", options.timeColumn, true);
        this.value = column(header, "--value-col", options.valueColumn, true);
        this.open = column(header, "--open-col", options.openColumn, false);
        this.high = column(header, "--high-col", options.highColumn, false);
        this.low = column(header, "--low-col", options.lowColumn, false);
        this.volume = column(header, "--volume-col", options.volumeColumn, false);
        this.series = column(header, "--series-col", seriesColumn, false);
    }

    @Override
    public Row next() throws IOException {
        CsvRecords.Record r = records.next();
        if (r == null) {
            return null;
        }
        if (r.error() != null) {
            return new Row(r.line(), null, "", r.error());
        }
        List<String> f = r.fields();
        int needed = max(time, value, open, high, low, volume, series);
        if (f.size() <= needed) {
            return new Row(r.line(), null, name(needed), "the row has " + f.size() + " fields but column "
                    + name(needed) + " is field " + (needed + 1));
        }
        Observation.Builder o = Observation.newBuilder();
        String s = series >= 0 ? f.get(series).trim() : seriesId;
        if (s.isEmpty()) {
            return new Row(r.line(), null, name(series), "the series is empty");
        }
        o.setSeriesId(s);
        String t = f.get(time).trim();
        try {
            o.setTsMicros(times.micros(t));
        } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
            return new Row(r.line(), null, name(time), "'" + t + "' is not " + times.expected());
        }
        String bad = null;
        int badColumn = -1;
        for (int c : new int[] {value, open, high, low, volume}) {
            if (c < 0) {
                continue;
            }
            String text = f.get(c).trim();
            if (text.isEmpty()) {
                if (c == value) {
                    bad = "the value is empty";
                    badColumn = c;
                    break;
                }
                continue; // an optional column left empty: not sent
            }
            double v;
            try {
                v = number(text);
            } catch (NumberFormatException e) {
                bad = "'" + text + "' is not a number";
                badColumn = c;
                break;
            }
            if (c == value) {
                o.setValue(v);
            } else if (c == open) {
                o.setOpen(v);
            } else if (c == high) {
                o.setHigh(v);
            } else if (c == low) {
                o.setLow(v);
            } else {
                o.setVolume(v);
            }
        }
        if (bad != null) {
            return new Row(r.line(), null, name(badColumn), bad);
        }
        return new Row(r.line(), o.build(), null, null);
    }

    /** Decimal numbers, NaN and infinities as Java writes them; not Java's 'd'/'f' suffixes or hexadecimal. */
    private static double number(String text) {
        char last = Character.toLowerCase(text.charAt(text.length() - 1));
        if (last == 'd' || last == 'f' || text.toLowerCase().contains("x")) {
            throw new NumberFormatException(text);
        }
        return Double.parseDouble(text);
    }

    private int column(List<String> header, String option, String column, boolean required) {
        if (column == null || column.isEmpty()) {
            if (required) {
                throw new UsageError(option + " is empty; name the column");
            }
            return -1;
        }
        int index;
        if (header == null) {
            try {
                index = Integer.parseInt(column);
            } catch (NumberFormatException e) {
                throw new UsageError(option + " '" + column + "' must be a 0-based column index with --no-header");
            }
            if (index < 0) {
                throw new UsageError(option + " " + column + " is negative; columns are numbered from 0");
            }
        } else {
            index = header.indexOf(column);
            if (index < 0) {
                throw new UsageError(option + " '" + column + "' is not in the CSV header; its columns are " + header);
            }
        }
        while (names.size() <= index) {
            names.add(header == null ? Integer.toString(names.size()) : header.get(names.size()));
        }
        return index;
    }

    private String name(int index) {
        return index >= 0 && index < names.size() ? names.get(index) : Integer.toString(index);
    }

    private static int max(int... columns) {
        int m = -1;
        for (int c : columns) {
            m = Math.max(m, c);
        }
        return m;
    }
}
