package dev.arbiter.optimizer.history;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.optimizer.history.ImportSpec.ColumnMapping;
import dev.arbiter.service.ObservationRules;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One import in progress: takes the CSV's bytes in chunks of any size and parses them as they come, so only the
 * parsed rows are held, never the file. Row problems become {@link RejectedRow}s; spec problems (an unknown header
 * name, an index past the last column) refuse the whole import. {@link #finish()} stores the rows.
 */
public final class CsvImport {

    private static final int TIME = 0;
    private static final int VALUE = 1;
    private static final int OPEN = 2;
    private static final int HIGH = 3;
    private static final int LOW = 4;
    private static final int VOLUME = 5;
    private static final String[] ROLES = {"time_column", "value_column", "open_column", "high_column", "low_column", "volume_column"};
    private static final String[] NAMES = {"time", "value", "open", "high", "low", "volume"};

    private final HistoryStore store;
    private final ImportSpec spec;
    private final String dataField;
    private final long maxBytes;
    private final TimeParser time;
    private final String delimiter;
    /** Each role's column as the mapping names it; "" = not mapped. */
    private final String[] labels = new String[6];
    /** Each role's 0-based column index once known; -1 = not mapped. */
    private final int[] index = new int[6];
    private int lastIndex = -1;
    private boolean columnsKnown;

    private final CsvRecordSplitter splitter = new CsvRecordSplitter();
    private final CsvRecordSplitter.Sink sink = this::record;
    private final ObservationColumns rows = new ObservationColumns(1024);
    private final Rejections rejections;
    private long rowsRead;
    private long bytesRead;
    private boolean finished;

    /**
     * @param dataField the request field the CSV bytes came in ("chunk" or "spec.server_path"), for refusals about
     *                  the data rather than the spec
     */
    CsvImport(HistoryStore store, ImportSpec spec, String dataField, long maxBytes, int maxRejectedReported) {
        this.store = store;
        this.spec = spec;
        this.dataField = dataField;
        this.maxBytes = maxBytes;
        this.rejections = new Rejections(maxRejectedReported);
        ColumnMapping m = spec.columns();
        if (m == null) {
            throw invalid("spec.columns", "spec.columns is missing; send at least columns.time_column and columns.value_column");
        }
        if (m.time().isEmpty()) {
            throw invalid("spec.columns.time_column", "spec.columns.time_column is empty; name the time column (a header name, or a 0-based index without a header)");
        }
        if (m.value().isEmpty()) {
            throw invalid("spec.columns.value_column", "spec.columns.value_column is empty; name the value (or close) column (a header name, or a 0-based index without a header)");
        }
        this.time = TimeParser.of(m);
        String d = spec.delimiter().isEmpty() ? "," : spec.delimiter();
        if (d.codePointCount(0, d.length()) != 1 || d.equals("\"") || d.equals("\n") || d.equals("\r")) {
            throw invalid("spec.delimiter", "spec.delimiter \"" + spec.delimiter().replace("\n", "\\n").replace("\r", "\\r")
                    + "\" is not one character other than a double quote or a line break; send one character such as \",\", \";\" or a tab, or leave it empty for \",\"");
        }
        this.delimiter = d;
        if (spec.sizeBytes() < 0) {
            throw invalid("spec.size_bytes", "spec.size_bytes is " + spec.sizeBytes() + "; send the CSV's size in bytes, or 0 to leave it unchecked");
        }
        if (spec.sizeBytes() > maxBytes) {
            throw invalid("spec.size_bytes", "spec.size_bytes is " + spec.sizeBytes() + ", over the limit of " + maxBytes
                    + " bytes (arbiter.optimizer.history.max-import-bytes); split the CSV into several imports with replace_existing false");
        }
        String[] given = {m.time(), m.value(), m.open(), m.high(), m.low(), m.volume()};
        for (int r = 0; r < 6; r++) {
            labels[r] = given[r];
            index[r] = -1;
            for (int q = 0; q < r; q++) {
                if (!given[r].isEmpty() && given[r].equals(given[q])) {
                    throw invalid("spec.columns." + ROLES[r], "spec.columns." + ROLES[r] + " names the same column as spec.columns." + ROLES[q]
                            + " (\"" + given[r] + "\"); map each column to one role");
                }
            }
        }
        if (!spec.hasHeader()) {
            for (int r = 0; r < 6; r++) {
                if (!given[r].isEmpty()) {
                    index[r] = columnIndex(r, given[r]);
                    lastIndex = Math.max(lastIndex, index[r]);
                }
            }
        }
    }

    private static int columnIndex(int role, String s) {
        boolean digits = !s.isEmpty() && s.length() <= 6 && s.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits) {
            throw invalid("spec.columns." + ROLES[role], "spec.columns." + ROLES[role] + " is \"" + s
                    + "\" but spec.has_header is false; without a header name columns by 0-based index (\"0\", \"1\", ...), or set has_header");
        }
        return Integer.parseInt(s);
    }

    public String seriesId() {
        return spec.seriesId();
    }

    public ImportSpec spec() {
        return spec;
    }

    /** Parses the next bytes of the CSV. */
    public void feed(byte[] bytes, int offset, int length) {
        if (finished) {
            throw new IllegalStateException("import already finished");
        }
        bytesRead += length;
        if (spec.sizeBytes() > 0 && bytesRead > spec.sizeBytes()) {
            throw invalid("spec.size_bytes", "more than spec.size_bytes (" + spec.sizeBytes() + ") bytes arrived; send the CSV's exact size, or 0 to leave it unchecked");
        }
        if (bytesRead > maxBytes) {
            throw invalid(dataField, csvName() + " is over the limit of " + maxBytes
                    + " bytes (arbiter.optimizer.history.max-import-bytes); split it into several imports with replace_existing false");
        }
        splitter.feed(bytes, offset, length, sink);
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /** Ends the CSV and stores its good rows; refuses a CSV without any. */
    public ImportResult finish() {
        endOfCsv();
        return store.store(this);
    }

    /** Parses the last record and checks the whole CSV: what {@link #finish} does before it stores the rows. */
    void endOfCsv() {
        if (finished) {
            throw new IllegalStateException("import already finished");
        }
        splitter.finish(sink);
        finished = true;
        if (spec.sizeBytes() > 0 && bytesRead != spec.sizeBytes()) {
            throw invalid("spec.size_bytes", "spec.size_bytes is " + spec.sizeBytes() + " but " + bytesRead
                    + " bytes arrived; send the CSV's exact size, or 0 to leave it unchecked");
        }
        if (rowsRead == 0) {
            throw invalid(dataField, csvName() + (spec.hasHeader() && !columnsKnown ? " is empty" : " has no data rows")
                    + "; send " + (spec.hasHeader() ? "the header line and " : "") + "at least one row");
        }
    }

    long rowsRead() {
        return rowsRead;
    }

    long bytesRead() {
        return bytesRead;
    }

    ObservationColumns rows() {
        return rows;
    }

    Rejections rejections() {
        return rejections;
    }

    String dataField() {
        return dataField;
    }

    /** The CSV, named by the request field it came in, for refusals about its content. */
    String csvName() {
        return switch (dataField) {
            case "chunk" -> "the CSV sent in chunk messages";
            case "spec.server_path" -> "the CSV at spec.server_path";
            default -> "the CSV";
        };
    }

    String timeLabel() {
        return labels[TIME];
    }

    private void record(long line, String text, boolean unterminatedQuote) {
        if (spec.hasHeader() && !columnsKnown) {
            if (text.isBlank()) {
                return;
            }
            resolveHeader(split(text));
            return;
        }
        if (text.isBlank()) {
            return;
        }
        rowsRead++;
        String[] f = unterminatedQuote ? null : split(text);
        if (f == null) {
            rejections.add(line, "", unterminatedQuote
                    ? "a quoted field is not closed; close every opening double quote"
                    : "malformed quoting; quote a whole field and double any quote inside it (\"\")");
            return;
        }
        if (!columnsKnown) {
            if (lastIndex >= f.length) {
                int role = roleOf(lastIndex);
                throw invalid("spec.columns." + ROLES[role], "spec.columns." + ROLES[role] + " is column " + lastIndex + " but the first row (line " + line
                        + ") has " + f.length + " columns (0.." + (f.length - 1) + "); send an index of an existing column");
            }
            columnsKnown = true;
        }
        if (lastIndex >= f.length) {
            int role = firstMissing(f.length);
            rejections.add(line, labels[role], "the row has " + f.length + " fields, so column " + labels[role] + " (" + NAMES[role] + ") is missing");
            return;
        }
        long ts;
        String t = f[index[TIME]];
        try {
            ts = time.parse(t);
        } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
            rejections.add(line, labels[TIME], t.isEmpty() ? "time is empty; send " + time.expected()
                    : "unparsable time \"" + abbreviate(t) + "\"; send " + time.expected());
            return;
        }
        if (ts < ObservationRules.EARLIEST_MICROS) {
            rejections.add(line, labels[TIME], "time \"" + abbreviate(t) + "\" is before " + ObservationRules.EARLIEST
                    + "; send times from then on");
            return;
        }
        double[] v = new double[6];
        for (int r = VALUE; r <= VOLUME; r++) {
            if (index[r] < 0) {
                v[r] = Double.NaN;
                continue;
            }
            String reason = number(f[index[r]], r, v);
            if (reason != null) {
                rejections.add(line, labels[r], reason);
                return;
            }
        }
        if (v[VALUE] <= 0) {
            rejections.add(line, labels[VALUE], "value is " + v[VALUE] + "; values must be positive (the engine takes log returns of them)");
            return;
        }
        if (v[HIGH] < v[LOW]) {
            rejections.add(line, labels[HIGH], "high (" + v[HIGH] + ") is below low (" + v[LOW] + ")");
            return;
        }
        if (v[VOLUME] < 0) {
            rejections.add(line, labels[VOLUME], "volume is negative (" + v[VOLUME] + ")");
            return;
        }
        rows.add(ts, v[VALUE], v[OPEN], v[HIGH], v[LOW], v[VOLUME], line);
    }

    /** Parses one number cell into v[role]; returns why it is refused, or null. An empty optional cell is absent (NaN). */
    private static String number(String s, int role, double[] v) {
        String name = NAMES[role];
        if (s.isEmpty()) {
            if (role == VALUE) {
                return "value is empty; send a number";
            }
            v[role] = Double.NaN;
            return null;
        }
        if (s.equalsIgnoreCase("nan")) {
            return name + " is NaN; send a finite number" + (role == VALUE ? "" : ", or leave the cell empty when unknown");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
                if (s.toLowerCase().contains("inf")) {
                    return name + " is " + abbreviate(s) + "; send a finite number";
                }
                return "unparsable number \"" + abbreviate(s) + "\" in " + name + "; send a decimal number such as 12.5 or 1.2e3";
            }
        }
        try {
            double d = Double.parseDouble(s);
            if (!Double.isFinite(d)) {
                return name + " \"" + abbreviate(s) + "\" is too large to be a finite number";
            }
            v[role] = d;
            return null;
        } catch (NumberFormatException e) {
            return "unparsable number \"" + abbreviate(s) + "\" in " + name + "; send a decimal number such as 12.5 or 1.2e3";
        }
    }

    private void resolveHeader(String[] header) {
        if (header == null) {
            throw invalid("spec.has_header", "spec.has_header is true but the header line has malformed quoting; fix it, or set"
                    + " has_header false and name columns by index");
        }
        List<String> names = Arrays.asList(header);
        for (int r = 0; r < 6; r++) {
            if (labels[r].isEmpty()) {
                continue;
            }
            int i = names.indexOf(labels[r]);
            if (i < 0) {
                throw invalid("spec.columns." + ROLES[r], "spec.columns." + ROLES[r] + " \"" + labels[r] + "\" is not in the header; the columns are "
                        + names.stream().map(n -> "\"" + n + "\"").toList() + " (names are case-sensitive)");
            }
            index[r] = i;
            lastIndex = Math.max(lastIndex, i);
        }
        columnsKnown = true;
    }

    /** The mapped role whose column comes first among those at or past fieldCount. */
    private int firstMissing(int fieldCount) {
        int best = -1;
        for (int r = 0; r < 6; r++) {
            if (index[r] >= fieldCount && (best < 0 || index[r] < index[best])) {
                best = r;
            }
        }
        return best;
    }

    private int roleOf(int columnIndex) {
        for (int r = 0; r < 6; r++) {
            if (index[r] == columnIndex) {
                return r;
            }
        }
        throw new IllegalStateException();
    }

    /** Splits one record into trimmed fields; null for malformed quoting. */
    private String[] split(String s) {
        List<String> out = new ArrayList<>(8);
        int n = s.length();
        int i = 0;
        while (true) {
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t') && !s.startsWith(delimiter, i)) {
                i++;
            }
            if (i < n && s.charAt(i) == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (true) {
                    int q = s.indexOf('"', i);
                    if (q < 0) {
                        return null;
                    }
                    b.append(s, i, q);
                    if (q + 1 < n && s.charAt(q + 1) == '"') {
                        b.append('"');
                        i = q + 2;
                    } else {
                        i = q + 1;
                        break;
                    }
                }
                out.add(b.toString());
                while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t') && !s.startsWith(delimiter, i)) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (!s.startsWith(delimiter, i)) {
                    return null;
                }
                i += delimiter.length();
            } else {
                int d = s.indexOf(delimiter, i);
                if (d < 0) {
                    out.add(s.substring(i).strip());
                    break;
                }
                out.add(s.substring(i, d).strip());
                i = d + delimiter.length();
            }
        }
        return out.toArray(new String[0]);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** All rejections are counted; the first ones by line number are kept for the response. */
    static final class Rejections {

        private final int keep;
        private final List<RejectedRow> kept = new ArrayList<>();
        private long count;

        Rejections(int keep) {
            this.keep = keep;
        }

        void add(long line, String column, String reason) {
            count++;
            kept.add(new RejectedRow(line, column, reason));
            if (kept.size() > 2 * keep + 16) {
                trim();
            }
        }

        private void trim() {
            kept.sort((a, b) -> Long.compare(a.lineNumber(), b.lineNumber()));
            kept.subList(Math.min(keep, kept.size()), kept.size()).clear();
        }

        long count() {
            return count;
        }

        List<RejectedRow> first() {
            trim();
            return List.copyOf(kept);
        }
    }
}
