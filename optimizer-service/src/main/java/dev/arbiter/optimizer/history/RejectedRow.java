package dev.arbiter.optimizer.history;

/**
 * A CSV row that was not imported.
 *
 * @param lineNumber 1-based line in the file, header included (a quoted field spanning lines: its first line)
 * @param column     the offending column as the mapping names it, or "" when the whole row is to blame
 * @param reason     what was wrong
 */
public record RejectedRow(long lineNumber, String column, String reason) {
}
