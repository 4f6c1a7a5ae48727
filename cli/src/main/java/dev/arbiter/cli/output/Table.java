package dev.arbiter.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: a header, aligned columns (text left, numbers right), two spaces between columns. */
public final class Table {

    private final List<String> headers = new ArrayList<>();
    private final List<Boolean> rightAligned = new ArrayList<>();
    private final List<String[]> rows = new ArrayList<>();

    /** A left-aligned (text) column. */
    public Table left(String header) {
        headers.add(header);
        rightAligned.add(false);
        return this;
    }

    /** A right-aligned (number) column. */
    public Table right(String header) {
        headers.add(header);
        rightAligned.add(true);
        return this;
    }

    /** One row; {@code values} are printed with {@link String#valueOf(Object)}, one per column. */
    public Table row(Object... values) {
        if (values.length != headers.size()) {
            throw new IllegalArgumentException(values.length + " values for " + headers.size() + " columns");
        }
        String[] r = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            r[i] = String.valueOf(values[i]);
        }
        rows.add(r);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Prints the table, or {@code whenEmpty} (what to do to get rows) when it has none. */
    public void printOr(PrintWriter out, String whenEmpty) {
        if (rows.isEmpty()) {
            out.println(whenEmpty);
            out.flush();
        } else {
            print(out);
        }
    }

    public void print(PrintWriter out) {
        int[] width = new int[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        out.println(line(headers.toArray(String[]::new), width));
        for (String[] r : rows) {
            out.println(line(r, width));
        }
        out.flush();
    }

    private String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(width[c] - cells[c].length());
            if (c > 0) {
                b.append("  ");
            }
            b.append(rightAligned.get(c) ? pad + cells[c] : cells[c] + (c == cells.length - 1 ? "" : pad));
        }
        return b.toString();
    }
}
