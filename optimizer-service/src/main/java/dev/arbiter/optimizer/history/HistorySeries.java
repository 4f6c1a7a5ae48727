package dev.arbiter.optimizer.history;

/**
 * What is stored for one series.
 *
 * @param startTsMicros    first stored time
 * @param endTsMicros      last stored time + 1
 * @param sizeBytes        size of its Parquet file
 * @param updatedTsMicros  when it was last imported into
 */
public record HistorySeries(String seriesId, long startTsMicros, long endTsMicros, long rowCount, long sizeBytes, long updatedTsMicros) {
}
