package dev.arbiter.optimizer.grpc;

import static dev.arbiter.optimizer.grpc.HistoryCalls.chunk;
import static dev.arbiter.optimizer.grpc.HistoryCalls.columns;
import static dev.arbiter.optimizer.grpc.HistoryCalls.importCsv;
import static dev.arbiter.optimizer.grpc.HistoryCalls.importParts;
import static dev.arbiter.optimizer.grpc.HistoryCalls.invalid;
import static dev.arbiter.optimizer.grpc.HistoryCalls.read;
import static dev.arbiter.optimizer.grpc.HistoryCalls.refused;
import static dev.arbiter.optimizer.grpc.HistoryCalls.resource;
import static dev.arbiter.optimizer.grpc.HistoryCalls.series;
import static dev.arbiter.optimizer.grpc.HistoryCalls.spec;
import static dev.arbiter.optimizer.grpc.HistoryCalls.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.proto.v1.CsvColumnMapping;
import dev.arbiter.proto.v1.CsvTimeFormat;
import dev.arbiter.proto.v1.GetBacktestReportRequest;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.MutinyOptimizerServiceGrpc.MutinyOptimizerServiceStub;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.ReadHistoryRequest;
import dev.arbiter.proto.v1.RejectedRow;
import dev.arbiter.testing.RawRequests;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad ImportHistory input: bad rows are reported with line, column and reason while the good rows are
 * imported; a bad spec, a bad stream or a file without a usable row refuses the import, naming the field and the
 * fix, and stores nothing.
 */
@QuarkusTest
class ImportHistoryBadInputTest {

    @GrpcClient("optimizer")
    OptimizerServiceBlockingStub optimizer;

    @GrpcClient("optimizer")
    MutinyOptimizerServiceStub mutiny;

    @Inject
    HistoryStore store;

    static final byte[] GOOD = utf8("t,v\n2024-03-01T00:00:00Z,1.5\n2024-03-02T00:00:00Z,1.6\n");

    /** The spec is refused with INVALID_ARGUMENT naming field, and the series stays unknown. */
    void invalidSpec(String field, ImportHistorySpec spec, byte[] csv) {
        invalid(field, () -> importCsv(mutiny, spec, csv));
        assertFalse(store.exists(spec.getSeriesId()), "a refused import stores nothing");
    }

    static ImportHistorySpec.Builder ohlcv(String id) {
        return spec(id, columns("t", "close").setOpenColumn("open").setHighColumn("high").setLowColumn("low").setVolumeColumn("volume"));
    }

    @Test
    void badRowsAreReportedAndGoodRowsImported() {
        String id = series("bad-rows");
        String csv = String.join("\n",
                "t,open,high,low,close,volume",                      // line 1
                "2024-03-01T00:00:00Z,10,11,9,10.5,100",             // 2 good
                "2024-03-02T00:00:00Z,10,11,9,NaN,100",              // 3 NaN value
                "2024-03-03T00:00:00Z,10,11,9,ten,100",              // 4 unparsable number
                "yesterday,10,11,9,10.5,100",                        // 5 unparsable time
                "2024-03-05T00:00:00Z,10,11,9,0,100",                // 6 non-positive value
                "2024-03-06T00:00:00Z,10,11,9,-2,100",               // 7 non-positive value
                "2024-03-07T00:00:00Z,10,9,11,10.5,100",             // 8 high < low
                "2024-03-08T00:00:00Z,10,11,9,10.5,-1",              // 9 negative volume
                "2024-03-01T00:00:00Z,10,11,9,10.7,100",             // 10 duplicate of line 2
                "2024-03-10T00:00:00Z,NaN,11,9,10.5,100",            // 11 NaN in an optional column
                "2024-03-11T00:00:00Z,10,11,9",                      // 12 short row
                "2024-03-12T00:00:00Z,10,11,9,,100",                 // 13 empty value
                "2024-03-13T00:00:00Z,10,11,9,Infinity,100",         // 14 infinite value
                "1799-12-31T00:00:00Z,10,11,9,10.5,100",             // 15 before 1800
                "2024-03-15T00:00:00Z,,,,10.5,",                     // 16 good: optional cells empty
                "\"2024-03-16T00:00:00Z,10,11,9,10.5,100");          // 17 unterminated quote
        ImportHistoryResponse r = importCsv(mutiny, ohlcv(id).build(), utf8(csv));
        assertEquals(16, r.getRowsRead());
        assertEquals(2, r.getRowsImported());
        assertEquals(14, r.getRowsRejected());
        List<RejectedRow> rows = r.getRejectedRowsList();
        assertEquals(14, rows.size());
        expect(rows.get(0), 3, "close", "value is NaN");
        expect(rows.get(1), 4, "close", "unparsable number \"ten\"");
        expect(rows.get(2), 5, "t", "unparsable time \"yesterday\"");
        expect(rows.get(3), 6, "close", "value is 0.0; values must be positive");
        expect(rows.get(4), 7, "close", "value is -2.0; values must be positive");
        expect(rows.get(5), 8, "high", "high (9.0) is below low (11.0)");
        expect(rows.get(6), 9, "volume", "volume is negative");
        expect(rows.get(7), 10, "t", "duplicate ts_micros 1709251200000000 (first at line 2)");
        expect(rows.get(8), 11, "open", "open is NaN");
        expect(rows.get(9), 12, "close", "the row has 4 fields");
        expect(rows.get(10), 13, "close", "value is empty");
        expect(rows.get(11), 14, "close", "Infinity");
        expect(rows.get(12), 15, "t", "is before 1800-01-01T00:00:00Z");
        expect(rows.get(13), 17, "", "quoted field is not closed");

        List<Observation> stored = read(optimizer, id, 0, 0);
        assertEquals(2, stored.size());
        assertEquals(10.5, stored.get(0).getValue());
        assertEquals(100, stored.get(0).getVolume());
        assertFalse(stored.get(1).hasOpen() || stored.get(1).hasHigh() || stored.get(1).hasLow() || stored.get(1).hasVolume());
    }

    @Test
    void timesFrom1800OnAreImportedAndReadBackBefore1970Too() {
        String id = series("old-times");
        String csv = String.join("\n", "t,close",
                "1800-01-01T00:00:00Z,1.5",
                "1965-06-01T21:00:00Z,840.2",
                "1970-01-01T00:00:00Z,800.0",
                "1970-01-02T00:00:00Z,801.0");
        ImportHistoryResponse r = importCsv(mutiny, spec(id, columns("t", "close")).build(), utf8(csv));
        assertEquals(4, r.getRowsImported(), r.toString());
        assertEquals(dev.arbiter.service.ObservationRules.EARLIEST_MICROS, r.getRange().getStartTsMicros());
        List<Observation> all = read(optimizer, id, 0, 0);
        assertEquals(List.of(dev.arbiter.service.ObservationRules.EARLIEST_MICROS, -144_644_400_000_000L, 0L, 86_400_000_000L),
                all.stream().map(Observation::getTsMicros).toList(), "an open range reads every row, in time order");
        long from1900 = java.time.Instant.parse("1900-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;
        // [1900, 1970): 0 is "no end", so the end before 1970 is -1 µs
        assertEquals(List.of(840.2), read(optimizer, id, from1900, -1).stream().map(Observation::getValue).toList(),
                "a range with negative bounds reads the rows inside it");
        refused(Status.Code.INVALID_ARGUMENT, "range.start_ts_micros",
                () -> read(optimizer, id, dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1, 0));
    }

    static void expect(RejectedRow row, long line, String column, String reason) {
        assertEquals(line, row.getLineNumber(), row.toString());
        assertEquals(column, row.getColumn(), row.toString());
        assertTrue(row.getReason().contains(reason), "reason of line " + line + " is \"" + row.getReason() + "\", expected it to contain \"" + reason + "\"");
    }

    @Test
    void rejectedRowsListIsCappedButAllAreCounted() {
        StringBuilder csv = new StringBuilder("t,v\n2024-01-01T00:00:00Z,1\n");
        for (int i = 0; i < 250; i++) {
            csv.append("2024-01-02T00:00:00Z,NaN\n");
        }
        ImportHistoryResponse r = importCsv(mutiny, spec(series("capped"), columns("t", "v")).build(), utf8(csv.toString()));
        assertEquals(250, r.getRowsRejected());
        assertEquals(100, r.getRejectedRowsCount(), "arbiter.optimizer.history.max-rejected-rows-reported");
        assertEquals(3, r.getRejectedRows(0).getLineNumber());
        assertEquals(102, r.getRejectedRows(99).getLineNumber());
    }

    @Test
    void noUsableRowRefusesTheImport() {
        String id = series("none");
        var e = invalid("chunk", () -> importCsv(mutiny, spec(id, columns("t", "v")).build(), utf8("t,v\n2024-01-01T00:00:00Z,NaN\nnope,1\n")));
        assertTrue(e.getStatus().getDescription().contains("line 2"), e.getStatus().getDescription());
        invalid("chunk", () -> importCsv(mutiny, spec(id, columns("t", "v")).build(), new byte[0]));
        invalid("chunk", () -> importCsv(mutiny, spec(id, columns("t", "v")).build(), utf8("t,v\n")));
        invalid("chunk", () -> importCsv(mutiny, spec(id, columns("t", "v")).build(), utf8("t,v\n\n\n")));
        assertFalse(store.exists(id));

        // every row already stored (append): refused, and the message says how to replace
        importCsv(mutiny, spec(id, columns("t", "v")).build(), GOOD);
        var dup = invalid("chunk", () -> importCsv(mutiny, spec(id, columns("t", "v")).setAppend(true).build(), GOOD));
        assertTrue(dup.getStatus().getDescription().contains("replace_existing"), dup.getStatus().getDescription());
        assertEquals(2, read(optimizer, id, 0, 0).size());

        // into the existing series without append or replace_existing: refused on spec.append, before a row is read
        var exists = refused(Status.Code.FAILED_PRECONDITION, "spec.append",
                () -> importCsv(mutiny, spec(id, columns("t", "v")).build(), utf8("t,v\n2031-01-01T00:00:00Z,5\n")));
        assertTrue(exists.getStatus().getDescription().contains("already holds 2 rows")
                && exists.getStatus().getDescription().contains("spec.append"), exists.getStatus().getDescription());
        invalid("spec.append", () -> importCsv(mutiny, spec(id, columns("t", "v")).setAppend(true).setReplaceExisting(true).build(), GOOD));
        assertEquals(2, read(optimizer, id, 0, 0).size(), "nothing merged");
    }

    @Test
    void specErrorsNameTheField() {
        String id = series("spec");
        invalidSpec("spec.series_id", spec("", columns("t", "v")).build(), GOOD);
        invalidSpec("spec.series_id", spec("x".repeat(129), columns("t", "v")).build(), GOOD);
        invalidSpec("spec.series_id", spec("bell\u0007" + id, columns("t", "v")).build(), GOOD);
        // a header whose quote never closes
        invalidSpec("spec.has_header", spec(id, columns("t", "v")).build(), utf8("\"t,v\n2024-03-01T00:00:00Z,1.5\n"));
        invalidSpec("spec.columns", ImportHistorySpec.newBuilder().setSeriesId(id).setHasHeader(true).build(), GOOD);
        invalidSpec("spec.columns.time_column", spec(id, columns("", "v")).build(), GOOD);
        invalidSpec("spec.columns.value_column", spec(id, columns("t", "")).build(), GOOD);
        // unknown header names: the refusal lists the header
        var unknown = invalid("spec.columns.value_column", () -> importCsv(mutiny, spec(id, columns("t", "V")).build(), GOOD));
        assertTrue(unknown.getStatus().getDescription().contains("[\"t\", \"v\"]"), unknown.getStatus().getDescription());
        invalidSpec("spec.columns.volume_column", spec(id, columns("t", "v").setVolumeColumn("vol")).build(), GOOD);
        // one column for two roles
        invalidSpec("spec.columns.open_column", spec(id, columns("t", "v").setOpenColumn("v")).build(), GOOD);
        // without a header: indexes only, and inside the row
        invalidSpec("spec.columns.time_column", spec(id, columns("t", "1")).setHasHeader(false).build(), GOOD);
        invalidSpec("spec.columns.high_column", spec(id, columns("0", "1").setHighColumn("5")).setHasHeader(false).build(), utf8("2024-01-01T00:00:00Z,1\n"));
        // delimiter
        invalidSpec("spec.delimiter", spec(id, columns("t", "v")).setDelimiter(";;").build(), GOOD);
        invalidSpec("spec.delimiter", spec(id, columns("t", "v")).setDelimiter("\"").build(), GOOD);
        invalidSpec("spec.delimiter", spec(id, columns("t", "v")).setDelimiter("\n").build(), GOOD);
        // time format, pattern and zone
        invalidSpec("spec.columns.time_format", spec(id, columns("t", "v").setTimeFormatValue(42)).build(), GOOD);
        invalidSpec("spec.columns.time_pattern", spec(id, pattern("")).build(), GOOD);
        invalidSpec("spec.columns.time_pattern", spec(id, pattern("yyyy-MM-dd bb")).build(), GOOD);
        invalidSpec("spec.columns.time_pattern", spec(id, pattern("HH:mm")).build(), GOOD);
        invalidSpec("spec.columns.time_pattern", spec(id, pattern("pyyyyMMdd")).build(), GOOD); // a JDK ClassCastException, found by fuzzing
        invalidSpec("spec.columns.time_pattern", spec(id, columns("t", "v").setTimePattern("yyyy-MM-dd")).build(), GOOD);
        invalidSpec("spec.columns.time_zone", spec(id, columns("t", "v").setTimeZone("Mars/Olympus_Mons")).build(), GOOD);
        invalidSpec("spec.columns.time_zone", spec(id, columns("t", "v").setTimeFormat(CsvTimeFormat.CSV_TIME_FORMAT_EPOCH_SECONDS).setTimeZone("UTC")).build(), GOOD);
        // size_bytes: fewer, more, negative, over the limit
        invalidSpec("spec.size_bytes", spec(id, columns("t", "v")).setSizeBytes(GOOD.length + 1).build(), GOOD);
        invalidSpec("spec.size_bytes", spec(id, columns("t", "v")).setSizeBytes(GOOD.length - 1).build(), GOOD);
        invalidSpec("spec.size_bytes", spec(id, columns("t", "v")).setSizeBytes(-5).build(), GOOD);
        invalidSpec("spec.size_bytes", spec(id, columns("t", "v")).setSizeBytes(1L << 40).build(), GOOD);
        // and the same spec with nothing wrong imports
        assertEquals(2, importCsv(mutiny, spec(id, columns("t", "v")).setSizeBytes(GOOD.length).build(), GOOD).getRowsImported());
    }

    static CsvColumnMapping.Builder pattern(String p) {
        return columns("t", "v").setTimeFormat(CsvTimeFormat.CSV_TIME_FORMAT_PATTERN).setTimePattern(p);
    }

    @Test
    void streamErrors() {
        String id = series("stream");
        ImportHistoryRequest spec = ImportHistoryRequest.newBuilder().setSpec(spec(id, columns("t", "v"))).build();
        invalid("spec", () -> importParts(mutiny, List.of(chunk(GOOD), spec)));
        invalid("spec", () -> importParts(mutiny, List.of(spec, spec, chunk(GOOD))));
        invalid("spec", () -> importParts(mutiny, List.of()));
        invalid("part", () -> importParts(mutiny, List.of(spec, ImportHistoryRequest.getDefaultInstance())));
        var big = invalid("chunk", () -> importParts(mutiny, List.of(spec, chunk(new byte[1024 * 1024 + 1]))));
        assertTrue(big.getStatus().getDescription().contains("1048576"), big.getStatus().getDescription());
        assertFalse(store.exists(id));
        // exactly 1 MiB is fine
        byte[] mib = new byte[1024 * 1024];
        byte[] head = utf8("t,v\n2024-01-01T00:00:00Z,1\n");
        java.util.Arrays.fill(mib, (byte) '\n');
        System.arraycopy(head, 0, mib, 0, head.length);
        assertEquals(1, importParts(mutiny, List.of(spec, chunk(mib))).getRowsImported());
    }

    @Test
    void serverPathErrors() throws Exception {
        String id = series("path");
        invalid("spec.server_path", () -> serverPath(id, "../../pom.xml"));
        invalid("spec.server_path", () -> serverPath(id, "/etc/hostname"));
        invalid("spec.server_path", () -> serverPath(id, "no-such-file.csv"));
        invalid("spec.server_path", () -> serverPath(id, "."));
        // a server_path and chunks
        invalid("chunk", () -> importParts(mutiny, List.of(ImportHistoryRequest.newBuilder()
                .setSpec(spec(id, columns("datetime_local", "demand_mw")).setServerPath("taylor_electricity_halfhourly.csv")).build(), chunk(GOOD))));
        // size_bytes is checked against the file too
        invalid("spec.size_bytes", () -> importParts(mutiny, List.of(ImportHistoryRequest.newBuilder()
                .setSpec(spec(id, columns("datetime_local", "demand_mw")).setServerPath("taylor_electricity_halfhourly.csv").setSizeBytes(5)).build())));
        // a link inside the import root to a file outside it
        Path outside = Files.createTempFile("arbiter-outside-", ".csv");
        Path link = Path.of("target/test-classes/data").resolve("link-" + id + ".csv");
        try {
            Files.write(outside, GOOD);
            Files.createSymbolicLink(link, outside.toAbsolutePath());
            var linked = invalid("spec.server_path", () -> serverPath(id, link.getFileName().toString()));
            assertTrue(linked.getStatus().getDescription().contains("links to a file outside the import root"),
                    linked.getStatus().getDescription());
        } finally {
            Files.deleteIfExists(link);
            Files.delete(outside);
        }
        assertFalse(store.exists(id));
        assertEquals(92761, resource("/data/taylor_electricity_halfhourly.csv").length, "the file used above");
    }

    ImportHistoryResponse serverPath(String id, String path) {
        return importParts(mutiny, List.of(ImportHistoryRequest.newBuilder().setSpec(spec(id, columns("t", "v")).setServerPath(path)).build()));
    }

    @Test
    void unknownSeriesAndBadRangesOnRead() {
        refused(Status.Code.NOT_FOUND, "series_id", () -> read(optimizer, series("never-imported"), 0, 0));
        invalid("series_id", () -> read(optimizer, "", 0, 0));
        invalid("series_id", () -> read(optimizer, "x".repeat(129), 0, 0));
        invalid("series_id", () -> read(optimizer, "tab\tid", 0, 0));
        String id = series("range");
        importCsv(mutiny, spec(id, columns("t", "v")).build(), GOOD);
        invalid("range", () -> read(optimizer, id, 2_000, 1_000));
        invalid("range", () -> read(optimizer, id, 1_000, 1_000));
        invalid("range.start_ts_micros", () -> read(optimizer, id, dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1, 0)); // before 1800
        invalid("range.end_ts_micros", () -> read(optimizer, id, 0, dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1));
        // max_rows is a uint64: 2^64 - 1 arrives as -1
        var huge = invalid("max_rows", () -> optimizer.readHistory(ReadHistoryRequest.newBuilder().setSeriesId(id)
                .setMaxRows(-1).build()).forEachRemaining(r -> { }));
        assertTrue(huge.getStatus().getDescription().contains("max_rows is 18446744073709551615; send at most"),
                huge.getStatus().getDescription());
    }

    @Test
    void invalidUtf8InAnIdIsInvalidArgumentNotUnknown() {
        GetBacktestReportRequest request = GetBacktestReportRequest.newBuilder().setReportId("r~Q~").build();
        refused(Status.Code.INVALID_ARGUMENT, "report_id", () -> RawRequests.unary(optimizer.getChannel(),
                OptimizerServiceGrpc.getGetBacktestReportMethod(), RawRequests.withLoneSurrogate(request, "~Q~")));
    }
}
