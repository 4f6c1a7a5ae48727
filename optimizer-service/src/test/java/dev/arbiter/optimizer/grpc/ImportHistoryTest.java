package dev.arbiter.optimizer.grpc;

import static dev.arbiter.optimizer.grpc.HistoryCalls.columns;
import static dev.arbiter.optimizer.grpc.HistoryCalls.importCsv;
import static dev.arbiter.optimizer.grpc.HistoryCalls.importParts;
import static dev.arbiter.optimizer.grpc.HistoryCalls.parts;
import static dev.arbiter.optimizer.grpc.HistoryCalls.read;
import static dev.arbiter.optimizer.grpc.HistoryCalls.resource;
import static dev.arbiter.optimizer.grpc.HistoryCalls.series;
import static dev.arbiter.optimizer.grpc.HistoryCalls.spec;
import static dev.arbiter.optimizer.grpc.HistoryCalls.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.optimizer.history.TempHistoryRoot;
import dev.arbiter.proto.v1.CsvTimeFormat;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.MutinyOptimizerServiceGrpc.MutinyOptimizerServiceStub;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.ReadHistoryRequest;
import dev.arbiter.proto.v1.ReadHistoryResponse;
import dev.arbiter.proto.v1.TimeRange;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ImportHistory and ReadHistory on the real series (MSFT daily OHLCV, half-hourly UK electricity demand) with their
 * own column names and time formats: every value read back equals the CSV's, rows arrive in any order and are stored
 * sorted, and replace_existing merges or replaces.
 */
@QuarkusTest
@QuarkusTestResource(TempHistoryRoot.class)
class ImportHistoryTest {

    @GrpcClient("optimizer")
    OptimizerServiceBlockingStub optimizer;

    @GrpcClient("optimizer")
    MutinyOptimizerServiceStub mutiny;

    @Inject
    HistoryStore store;

    /** One row of the MSFT file, parsed independently of the service. */
    record Bar(long ts, double open, double high, double low, double close, double volume) {
    }

    static List<String> lines(byte[] csv) {
        return new String(csv, StandardCharsets.UTF_8).lines().toList();
    }

    static List<Bar> msftBars() {
        List<Bar> bars = new ArrayList<>();
        for (String line : lines(resource("/data/msft_ohlcv_daily.csv")).subList(1, 250)) {
            String[] f = line.split(",");
            long ts = LocalDate.parse(f[0]).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L;
            bars.add(new Bar(ts, Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
        }
        return bars;
    }

    static ImportHistorySpec.Builder msftSpec(String seriesId) {
        return spec(seriesId, columns("date", "Close").setOpenColumn("Open").setHighColumn("High").setLowColumn("Low").setVolumeColumn("Volume"));
    }

    static void assertBars(List<Bar> expected, List<Observation> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Bar b = expected.get(i);
            Observation o = actual.get(i);
            String at = "row " + i + " " + o;
            assertEquals(b.ts(), o.getTsMicros(), at);
            assertEquals(b.close(), o.getValue(), at);
            assertEquals(b.open(), o.getOpen(), at);
            assertEquals(b.high(), o.getHigh(), at);
            assertEquals(b.low(), o.getLow(), at);
            assertEquals(b.volume(), o.getVolume(), at);
        }
    }

    @Test
    void msftOhlcvRoundTripsEveryValue() {
        String id = series("MSFT");
        byte[] csv = resource("/data/msft_ohlcv_daily.csv");
        // small chunks that cut lines (and numbers) in the middle
        ImportHistoryResponse r = importParts(mutiny, parts(msftSpec(id).setSizeBytes(csv.length).build(), csv, 1000));
        List<Bar> bars = msftBars();
        assertEquals(id, r.getSeriesId());
        assertEquals(249, r.getRowsRead());
        assertEquals(249, r.getRowsImported());
        assertEquals(0, r.getRowsRejected());
        assertEquals(249, r.getSeriesRowCount());
        assertEquals(csv.length, r.getSizeBytes());
        assertEquals(bars.get(0).ts(), r.getRange().getStartTsMicros());
        assertEquals(bars.get(248).ts() + 1, r.getRange().getEndTsMicros());
        assertEquals(LocalDate.of(2000, 9, 27).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L, r.getRange().getStartTsMicros());

        assertBars(bars, read(optimizer, id, 0, 0));
        // a range in the middle: [bar 100, bar 200)
        assertBars(bars.subList(100, 200), read(optimizer, id, bars.get(100).ts(), bars.get(200).ts()));
        // open end, and a start between two bars
        assertBars(bars.subList(201, 249), read(optimizer, id, bars.get(200).ts() + 1, 0));
        // max_rows
        List<Observation> first10 = new ArrayList<>();
        optimizer.readHistory(ReadHistoryRequest.newBuilder().setSeriesId(id).setMaxRows(10).build())
                .forEachRemaining(m -> first10.addAll(m.getObservationsList()));
        assertBars(bars.subList(0, 10), first10);
        // a range without rows is an empty stream, not an error
        assertEquals(0, read(optimizer, id, 1_000_000L, bars.get(0).ts()).size());
    }

    @Test
    void javaApiReadsWhatWasImported() {
        String id = series("MSFT-api");
        importCsv(mutiny, msftSpec(id).build(), resource("/data/msft_ohlcv_daily.csv"));
        List<Bar> bars = msftBars();
        assertTrue(store.exists(id));
        var h = store.read(id, bars.get(10).ts(), bars.get(20).ts());
        assertEquals(10, h.size());
        assertEquals(id, h.seriesId());
        for (int i = 0; i < 10; i++) {
            Bar b = bars.get(10 + i);
            assertEquals(b.ts(), h.tsMicros()[i]);
            assertEquals(b.close(), h.value()[i]);
            assertEquals(b.open(), h.open()[i]);
            assertEquals(b.high(), h.high()[i]);
            assertEquals(b.low(), h.low()[i]);
            assertEquals(b.volume(), h.volume()[i]);
        }
    }

    @Test
    void electricityHalfHourlyInLondonTime() {
        String id = series("uk-demand");
        byte[] csv = resource("/data/taylor_electricity_halfhourly.csv");
        ImportHistoryResponse r = importCsv(mutiny, spec(id, columns("datetime_local", "demand_mw").setTimeZone("Europe/London")).build(), csv);
        assertEquals(4032, r.getRowsImported());
        assertEquals(0, r.getRowsRejected());

        List<String> rows = lines(csv).subList(1, 4033);
        List<Observation> read = read(optimizer, id, 0, 0);
        assertEquals(4032, read.size());
        ZoneId london = ZoneId.of("Europe/London");
        for (int i = 0; i < rows.size(); i++) {
            String[] f = rows.get(i).split(",");
            Observation o = read.get(i);
            long ts = LocalDateTime.parse(f[0]).atZone(london).toInstant().toEpochMilli() * 1000;
            assertEquals(ts, o.getTsMicros(), rows.get(i));
            assertEquals(Double.parseDouble(f[1]), o.getValue(), rows.get(i));
            assertFalse(o.hasOpen() || o.hasHigh() || o.hasLow() || o.hasVolume(), "no OHLC columns were mapped");
        }
        // 2000-06-05T00:00 BST is 2000-06-04T23:00Z
        assertEquals(LocalDateTime.of(2000, 6, 4, 23, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L, read.get(0).getTsMicros());
        // half-hourly: one week is 336 rows
        List<Observation> week = read(optimizer, id, read.get(336).getTsMicros(), read.get(672).getTsMicros());
        assertEquals(read.subList(336, 672), week);

        // ReadHistory streams in batches of arbiter.optimizer.history.read-batch-rows (1000)
        List<ReadHistoryResponse> batches = new ArrayList<>();
        optimizer.readHistory(ReadHistoryRequest.newBuilder().setSeriesId(id).build()).forEachRemaining(batches::add);
        assertEquals(List.of(1000, 1000, 1000, 1000, 32), batches.stream().map(ReadHistoryResponse::getObservationsCount).toList());
    }

    @Test
    void rowsInAnyOrderAreStoredSorted() {
        String id = series("MSFT-shuffled");
        List<String> lines = new ArrayList<>(lines(resource("/data/msft_ohlcv_daily.csv")));
        List<String> rows = new ArrayList<>(lines.subList(1, lines.size()));
        Collections.shuffle(rows, new Random(42));
        String csv = lines.get(0) + "\n" + String.join("\n", rows) + "\n";
        ImportHistoryResponse r = importCsv(mutiny, msftSpec(id).build(), utf8(csv));
        assertEquals(249, r.getRowsImported());
        assertBars(msftBars(), read(optimizer, id, 0, 0));
    }

    @Test
    void appendMergesAndRejectsStoredTimes() throws IOException {
        String id = series("merge");
        List<String> lines = lines(resource("/data/msft_ohlcv_daily.csv"));
        String header = lines.get(0) + "\n";
        // first rows 1..100, then rows 51..150 merged in: 50 of them are already stored
        importCsv(mutiny, msftSpec(id).build(), utf8(header + String.join("\n", lines.subList(1, 101))));
        ImportHistoryResponse r = importCsv(mutiny, msftSpec(id).setAppend(true).build(), utf8(header + String.join("\n", lines.subList(51, 151))));
        assertEquals(100, r.getRowsRead());
        assertEquals(50, r.getRowsImported());
        assertEquals(50, r.getRowsRejected());
        assertEquals(150, r.getSeriesRowCount());
        assertEquals(2, r.getRejectedRows(0).getLineNumber());
        assertEquals("date", r.getRejectedRows(0).getColumn());
        assertTrue(r.getRejectedRows(0).getReason().contains("already stored"), r.getRejectedRows(0).getReason());
        List<Bar> bars = msftBars();
        assertEquals(bars.get(100).ts(), r.getRange().getStartTsMicros(), "the range covers the imported rows only");
        assertEquals(bars.get(149).ts() + 1, r.getRange().getEndTsMicros());
        assertBars(bars.subList(0, 150), read(optimizer, id, 0, 0));

        // replace_existing true: only the new rows remain
        ImportHistoryResponse replaced = importCsv(mutiny, msftSpec(id).setReplaceExisting(true).build(), utf8(header + String.join("\n", lines.subList(201, 211))));
        assertEquals(10, replaced.getRowsImported());
        assertEquals(10, replaced.getSeriesRowCount());
        assertBars(bars.subList(200, 210), read(optimizer, id, 0, 0));
        assertEquals(10, store.series(id).rowCount());

        // each import wrote a whole new file and removed the old one: one Parquet file, no temporary files
        try (Stream<Path> files = Files.list(store.root().resolve(id))) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(1, names.size(), names.toString());
            assertTrue(names.get(0).endsWith(".parquet"), names.toString());
        }
    }

    @Test
    void otherFormatsAndDialects() {
        // no header, 0-based indexes, ';' delimiter, CRLF, quoted fields, epoch seconds with fractions
        String id = series("epoch-s");
        ImportHistoryResponse r = importCsv(mutiny, spec(id, columns("1", "0").setVolumeColumn("2").setTimeFormat(CsvTimeFormat.CSV_TIME_FORMAT_EPOCH_SECONDS))
                .setHasHeader(false).setDelimiter(";").build(),
                utf8("\"1,5\";1700000000.25;10\r\n2.5;\"1700000001\";\r\n\r\n3.5;1700000002.000001;7\r\n"));
        assertEquals(3, r.getRowsRead());
        assertEquals(2, r.getRowsImported(), r.toString());
        assertEquals(1, r.getRejectedRows(0).getLineNumber());
        assertTrue(r.getRejectedRows(0).getReason().contains("unparsable number \"1,5\""), r.toString());
        List<Observation> obs = read(optimizer, id, 0, 0);
        assertEquals(1_700_000_001_000_000L, obs.get(0).getTsMicros());
        assertFalse(obs.get(0).hasVolume(), "an empty optional cell is absent");
        assertEquals(1_700_000_002_000_001L, obs.get(1).getTsMicros());
        assertEquals(7, obs.get(1).getVolume());

        // epoch millis and micros, a tab delimiter, a UTF-8 byte order mark
        String ms = series("epoch-ms");
        importCsv(mutiny, spec(ms, columns("t", "v").setTimeFormat(CsvTimeFormat.CSV_TIME_FORMAT_EPOCH_MILLIS)).setDelimiter("\t").build(),
                utf8("\uFEFFt\tv\n1700000000123\t1\n"));
        assertEquals(1_700_000_000_123_000L, read(optimizer, ms, 0, 0).get(0).getTsMicros());
        String us = series("epoch-us");
        importCsv(mutiny, spec(us, columns("t", "v").setTimeFormat(CsvTimeFormat.CSV_TIME_FORMAT_EPOCH_MICROS)).build(), utf8("t,v\n1700000000123456,1\n"));
        assertEquals(1_700_000_000_123_456L, read(optimizer, us, 0, 0).get(0).getTsMicros());

        // a DateTimeFormatter pattern in New York time; ISO-8601 with offsets and a space for the T
        String pat = series("pattern");
        importCsv(mutiny, spec(pat, columns("when", "v").setTimeFormat(CsvTimeFormat.CSV_TIME_FORMAT_PATTERN)
                .setTimePattern("dd/MM/yyyy HH:mm").setTimeZone("America/New_York")).build(), utf8("when,v\n01/03/2024 09:30,1\n"));
        assertEquals(LocalDateTime.of(2024, 3, 1, 14, 30).toEpochSecond(ZoneOffset.UTC) * 1_000_000L, read(optimizer, pat, 0, 0).get(0).getTsMicros());
        String iso = series("iso");
        importCsv(mutiny, spec(iso, columns("t", "v")).build(), utf8("t,v\n2024-03-01T12:00:00+01:00,1\n2024-03-01 12:00:00.5Z,2\n2024-03-02T00:00:00Z,3\n"));
        List<Observation> isoObs = read(optimizer, iso, 0, 0);
        assertEquals(LocalDateTime.of(2024, 3, 1, 11, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L, isoObs.get(0).getTsMicros());
        assertEquals(LocalDateTime.of(2024, 3, 1, 12, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L + 500_000, isoObs.get(1).getTsMicros());
    }

    @Test
    void serverPathUnderTheImportRoot() {
        String id = series("uk-demand-path");
        ImportHistoryResponse r = importParts(mutiny, List.of(ImportHistoryRequest.newBuilder()
                .setSpec(spec(id, columns("datetime_local", "demand_mw").setTimeZone("Europe/London")).setServerPath("taylor_electricity_halfhourly.csv"))
                .build()));
        assertEquals(4032, r.getRowsImported());
        assertEquals(92761, r.getSizeBytes());
        assertEquals(4032, read(optimizer, id, 0, 0).size());
    }
}
