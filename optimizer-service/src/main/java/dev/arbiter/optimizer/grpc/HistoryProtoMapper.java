package dev.arbiter.optimizer.grpc;

import dev.arbiter.optimizer.history.HistorySeries;
import dev.arbiter.optimizer.history.ImportResult;
import dev.arbiter.optimizer.history.ImportSpec;
import dev.arbiter.optimizer.history.ImportSpec.ColumnMapping;
import dev.arbiter.optimizer.history.ImportSpec.TimeFormat;
import dev.arbiter.optimizer.history.SeriesHistory;
import dev.arbiter.proto.v1.CsvColumnMapping;
import dev.arbiter.proto.v1.HistorySeries.Builder;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.ReadHistoryResponse;
import dev.arbiter.proto.v1.RejectedRow;
import dev.arbiter.proto.v1.TimeRange;

/** History messages: proto ⇄ the history package's domain types. */
final class HistoryProtoMapper {

    private HistoryProtoMapper() {
    }

    static ImportSpec spec(ImportHistorySpec s) {
        ColumnMapping columns = s.hasColumns() ? columns(s.getColumns()) : null;
        return new ImportSpec(s.getSeriesId(), columns, s.getHasHeader(), s.getDelimiter(), s.getReplaceExisting(), s.getSizeBytes(), s.getAppend());
    }

    private static ColumnMapping columns(CsvColumnMapping c) {
        TimeFormat format = switch (c.getTimeFormat()) {
            case CSV_TIME_FORMAT_UNSPECIFIED, CSV_TIME_FORMAT_ISO_8601 -> TimeFormat.ISO_8601;
            case CSV_TIME_FORMAT_EPOCH_SECONDS -> TimeFormat.EPOCH_SECONDS;
            case CSV_TIME_FORMAT_EPOCH_MILLIS -> TimeFormat.EPOCH_MILLIS;
            case CSV_TIME_FORMAT_EPOCH_MICROS -> TimeFormat.EPOCH_MICROS;
            case CSV_TIME_FORMAT_PATTERN -> TimeFormat.PATTERN;
            case UNRECOGNIZED -> null;
        };
        return new ColumnMapping(c.getTimeColumn(), format, c.getTimePattern(), c.getTimeZone(), c.getValueColumn(),
                c.getOpenColumn(), c.getHighColumn(), c.getLowColumn(), c.getVolumeColumn());
    }

    static ImportHistoryResponse importResult(ImportResult r) {
        ImportHistoryResponse.Builder b = ImportHistoryResponse.newBuilder()
                .setSeriesId(r.seriesId())
                .setRowsRead(r.rowsRead())
                .setRowsImported(r.rowsImported())
                .setRowsRejected(r.rowsRejected())
                .setRange(range(r.startTsMicros(), r.endTsMicros()))
                .setSizeBytes(r.bytesRead())
                .setSeriesRowCount(r.series().rowCount());
        r.rejectedRows().forEach(x -> b.addRejectedRows(RejectedRow.newBuilder()
                .setLineNumber(x.lineNumber()).setColumn(x.column()).setReason(x.reason())));
        return b.build();
    }

    static dev.arbiter.proto.v1.HistorySeries series(HistorySeries s) {
        Builder b = dev.arbiter.proto.v1.HistorySeries.newBuilder()
                .setSeriesId(s.seriesId())
                .setRange(range(s.startTsMicros(), s.endTsMicros()))
                .setRowCount(s.rowCount())
                .setSizeBytes(s.sizeBytes())
                .setUpdatedTsMicros(s.updatedTsMicros());
        return b.build();
    }

    /** Rows [from, to) of a history as one stream message. */
    static ReadHistoryResponse batch(SeriesHistory h, int from, int to) {
        ReadHistoryResponse.Builder b = ReadHistoryResponse.newBuilder();
        for (int i = from; i < to; i++) {
            Observation.Builder o = Observation.newBuilder().setSeriesId(h.seriesId()).setTsMicros(h.tsMicros()[i]).setValue(h.value()[i]);
            if (!Double.isNaN(h.open()[i])) {
                o.setOpen(h.open()[i]);
            }
            if (!Double.isNaN(h.high()[i])) {
                o.setHigh(h.high()[i]);
            }
            if (!Double.isNaN(h.low()[i])) {
                o.setLow(h.low()[i]);
            }
            if (!Double.isNaN(h.volume()[i])) {
                o.setVolume(h.volume()[i]);
            }
            b.addObservations(o);
        }
        return b.build();
    }

    private static TimeRange range(long start, long end) {
        return TimeRange.newBuilder().setStartTsMicros(start).setEndTsMicros(end).build();
    }
}
