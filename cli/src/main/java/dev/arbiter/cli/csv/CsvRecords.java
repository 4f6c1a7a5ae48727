package dev.arbiter.cli.csv;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits CSV text into records as it is read (RFC 4180: quoted fields with doubled quotes, delimiters and line breaks
 * inside quotes; CRLF or LF; a UTF-8 byte order mark; blank lines skipped), each with the line number it starts on,
 * so messages can point at the line. Reads a character at a time from a buffered reader: a live feed on standard
 * input yields each record as soon as its line ends.
 */
public final class CsvRecords {

    /** One record: its 1-based first line, its fields, or what is wrong with it. */
    public record Record(long line, List<String> fields, String error) {
    }

    private final Reader in;
    private final char delimiter;
    private long line = 1;
    private boolean first = true;
    private int pushedBack = -2;

    public CsvRecords(Reader in, char delimiter) {
        this.in = in;
        this.delimiter = delimiter;
    }

    /** The next record, or null at the end of the input. */
    public Record next() throws IOException {
        while (true) {
            long start = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            boolean any = false;
            int c;
            while (true) {
                c = read();
                if (c == -1) {
                    if (quoted) {
                        return new Record(start, List.of(), "a quoted field opened on line " + start + " is never closed");
                    }
                    break;
                }
                any = true;
                char ch = (char) c;
                if (quoted) {
                    if (ch == '"') {
                        int n = read();
                        if (n == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            unread(n);
                        }
                    } else {
                        if (ch == '\n') {
                            line++;
                        }
                        field.append(ch);
                    }
                } else if (ch == '"' && field.isEmpty() && !wasQuoted) {
                    quoted = true;
                    wasQuoted = true;
                } else if (ch == delimiter) {
                    fields.add(field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                } else if (ch == '\r' || ch == '\n') {
                    if (ch == '\r') {
                        int n = read();
                        if (n != '\n') {
                            unread(n);
                        }
                    }
                    line++;
                    break;
                } else {
                    field.append(ch);
                }
            }
            if (!any) {
                return null;
            }
            fields.add(field.toString());
            if (fields.size() == 1 && fields.get(0).isEmpty() && !wasQuoted) {
                if (c == -1) {
                    return null;
                }
                continue; // a blank line
            }
            return new Record(start, fields, null);
        }
    }

    private int read() throws IOException {
        int c;
        if (pushedBack != -2) {
            c = pushedBack;
            pushedBack = -2;
        } else {
            c = in.read();
        }
        if (first) {
            first = false;
            if (c == '\uFEFF') {
                return read();
            }
        }
        return c;
    }

    private void unread(int c) {
        pushedBack = c;
    }
}
