package dev.arbiter.cli.history;

import dev.arbiter.proto.v1.RejectedRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Rejected rows of an import that share a cause: the same column and the same reason once the values in it (numbers,
 * quoted text) are left out, so that 1,000 negative values make one line, not 1,000. Causes keep the order in which
 * their first row came.
 *
 * @param column      the column to blame, or empty
 * @param rows        how many listed rows have this cause
 * @param firstLines  the first few line numbers, e.g. "3, 7, 9, 12, 15, …"
 * @param firstReason the reason as the service worded it for the first of them
 */
record RejectCause(String column, int rows, String firstLines, String firstReason) {

    /** Line numbers shown per cause. */
    static final int LINES_SHOWN = 5;

    private static final Pattern VALUES = Pattern.compile("\"[^\"]*\"|[-+]?\\d+(\\.\\d+)?([eE][-+]?\\d+)?|NaN|-?Infinity");

    static List<RejectCause> group(List<RejectedRow> rejected) {
        Map<String, List<RejectedRow>> byCause = new LinkedHashMap<>();
        for (RejectedRow row : rejected) {
            String cause = row.getColumn() + "\u0000" + VALUES.matcher(row.getReason()).replaceAll("#");
            byCause.computeIfAbsent(cause, k -> new ArrayList<>()).add(row);
        }
        List<RejectCause> causes = new ArrayList<>(byCause.size());
        for (List<RejectedRow> rows : byCause.values()) {
            String lines = rows.stream().limit(LINES_SHOWN).map(r -> String.valueOf(r.getLineNumber()))
                    .collect(Collectors.joining(", ")) + (rows.size() > LINES_SHOWN ? ", …" : "");
            causes.add(new RejectCause(rows.get(0).getColumn(), rows.size(), lines, rows.get(0).getReason()));
        }
        return causes;
    }
}
