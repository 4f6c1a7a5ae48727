package dev.arbiter.optimizer.history;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a CSV byte stream, fed in chunks of any size, into records: a newline ends a record unless it is inside
 * double quotes. Each record comes with the 1-based line it starts on, without its line ending and the UTF-8 byte
 * order mark. Working on bytes is safe for UTF-8: '"' and '\n' never occur inside a multi-byte character.
 */
final class CsvRecordSplitter {

    /** Receives one record. */
    interface Sink {
        void record(long lineNumber, String text, boolean unterminatedQuote);
    }

    private byte[] buf = new byte[256];
    private int len;
    private boolean inQuotes;
    private long line = 1;
    private long recordLine = 1;
    private boolean first = true;

    void feed(byte[] bytes, int offset, int length, Sink sink) {
        for (int i = offset, end = offset + length; i < end; i++) {
            byte c = bytes[i];
            if (c == '"') {
                inQuotes = !inQuotes;
            } else if (c == '\n') {
                line++;
                if (!inQuotes) {
                    emit(sink, false);
                    recordLine = line;
                    continue;
                }
            }
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[len++] = c;
        }
    }

    /** Ends the stream: a last record without a newline is emitted too. */
    void finish(Sink sink) {
        if (len > 0 || inQuotes) {
            emit(sink, inQuotes);
        }
    }

    private void emit(Sink sink, boolean unterminated) {
        int start = 0;
        int end = len;
        if (first && end >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB && (buf[2] & 0xff) == 0xBF) {
            start = 3;
        }
        first = false;
        if (end > start && buf[end - 1] == '\r') {
            end--;
        }
        String text = new String(buf, start, end - start, StandardCharsets.UTF_8);
        len = 0;
        inQuotes = false;
        sink.record(recordLine, text, unterminated);
    }
}
