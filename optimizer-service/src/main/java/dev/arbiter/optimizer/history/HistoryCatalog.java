package dev.arbiter.optimizer.history;

import io.grpc.Status;
import dev.arbiter.service.RequestRefused;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;

/**
 * The catalog of stored history in PostgreSQL. Each call runs in its own short transaction, so the store can be used
 * from any thread (gRPC workers, training jobs, backtests) without a request context.
 */
@ApplicationScoped
class HistoryCatalog {

    /** A series' catalog row: its summary, current file and generation. */
    record Entry(HistorySeries series, String fileName, long generation) {
    }

    Optional<Entry> find(String seriesId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            HistorySeriesEntity e = HistorySeriesEntity.findById(seriesId);
            return Optional.ofNullable(e).map(HistoryCatalog::entry);
        });
    }

    /** Up to limit series with series_id after the given one ("" = from the first), by series_id in byte order. */
    List<HistorySeries> page(String afterSeriesId, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> HistorySeriesEntity.<HistorySeriesEntity>find("seriesId > ?1", Sort.by("seriesId"), afterSeriesId)
                .page(Page.ofSize(limit)).list().stream().map(HistorySeriesEntity::summary).toList());
    }

    /**
     * Points the series at a newly written file, provided nobody switched it since {@code expectedGeneration} was read
     * (0 = the series did not exist). ABORTED otherwise: another import got there first and the caller retries.
     */
    Entry switchTo(HistorySeries s, String fileName, long expectedGeneration) {
        try {
            return trySwitch(s, fileName, expectedGeneration);
        } catch (RequestRefused e) {
            throw e;
        } catch (RuntimeException e) {
            if (expectedGeneration == 0 && find(s.seriesId()).isPresent()) {
                throw concurrent(s.seriesId()); // both created the series; the other one's insert won
            }
            throw e;
        }
    }

    private static RequestRefused concurrent(String seriesId) {
        return new RequestRefused(Status.Code.ABORTED, "series_id", "series \"" + seriesId
                + "\" was imported into by another call at the same time; send the import again");
    }

    private Entry trySwitch(HistorySeries s, String fileName, long expectedGeneration) {
        return QuarkusTransaction.requiringNew().call(() -> {
            HistorySeriesEntity e = HistorySeriesEntity.findById(s.seriesId(), LockModeType.PESSIMISTIC_WRITE);
            long current = e == null ? 0 : e.generation;
            if (current != expectedGeneration) {
                throw concurrent(s.seriesId());
            }
            if (e == null) {
                e = new HistorySeriesEntity();
                e.seriesId = s.seriesId();
            }
            e.fileName = fileName;
            e.generation = current + 1;
            e.startTsMicros = s.startTsMicros();
            e.endTsMicros = s.endTsMicros();
            e.rowCount = s.rowCount();
            e.sizeBytes = s.sizeBytes();
            e.updatedTsMicros = s.updatedTsMicros();
            e.persist();
            return entry(e);
        });
    }

    private static Entry entry(HistorySeriesEntity e) {
        return new Entry(e.summary(), e.fileName, e.generation);
    }
}
