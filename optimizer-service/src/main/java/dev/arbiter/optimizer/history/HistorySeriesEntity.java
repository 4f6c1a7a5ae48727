package dev.arbiter.optimizer.history;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One row of the history catalog (table history_series, V1__history.sql). */
@Entity
@Table(name = "history_series")
public class HistorySeriesEntity extends PanacheEntityBase {

    @Id
    @Column(name = "series_id")
    public String seriesId;

    @Column(name = "file_name", nullable = false)
    public String fileName;

    @Column(name = "generation", nullable = false)
    public long generation;

    @Column(name = "start_ts_micros", nullable = false)
    public long startTsMicros;

    @Column(name = "end_ts_micros", nullable = false)
    public long endTsMicros;

    @Column(name = "row_count", nullable = false)
    public long rowCount;

    @Column(name = "size_bytes", nullable = false)
    public long sizeBytes;

    @Column(name = "updated_ts_micros", nullable = false)
    public long updatedTsMicros;

    HistorySeries summary() {
        return new HistorySeries(seriesId, startTsMicros, endTsMicros, rowCount, sizeBytes, updatedTsMicros);
    }
}
