package dev.arbiter.bench.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A table written two ways: aligned plain text for the terminal, Markdown for bench/README.md. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();

    Table(String... headers) {
        rows.add(headers);
    }

    Table row(Object... cells) {
        rows.add(Arrays.stream(cells).map(String::valueOf).toArray(String[]::new));
        return this;
    }

    /** First column left-aligned, the numbers right-aligned. */
    String plain() {
        int[] width = new int[rows.get(0).length];
        rows.forEach(r -> {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        });
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                String format = c == 0 ? "%-" + width[c] + "s" : "  %" + width[c] + "s";
                b.append(String.format(format, r[c]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            b.append("| ").append(String.join(" | ", rows.get(i))).append(" |\n");
            if (i == 0) {
                b.append("| --- |").append(" ---: |".repeat(rows.get(0).length - 1)).append('\n');
            }
        }
        return b.toString();
    }
}
