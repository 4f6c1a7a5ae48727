package dev.arbiter.optimizer.history;

import java.util.List;

/**
 * The outcome of one import.
 *
 * @param rowsRead        data rows read, header and blank lines excluded
 * @param rowsImported    rows stored by this import
 * @param rowsRejected    rows skipped
 * @param startTsMicros   first imported time
 * @param endTsMicros     last imported time + 1
 * @param rejectedRows    the first rejected rows by line number, at most the configured number
 * @param bytesRead       bytes of CSV read
 * @param series          the series as stored after the import
 */
public record ImportResult(
        String seriesId, long rowsRead, long rowsImported, long rowsRejected, long startTsMicros, long endTsMicros,
        List<RejectedRow> rejectedRows, long bytesRead, HistorySeries series) {
}
