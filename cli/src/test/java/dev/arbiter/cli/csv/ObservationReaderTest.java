package dev.arbiter.cli.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.client.UsageError;
import dev.arbiter.proto.v1.Observation;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Client-side CSV reading for decide and features ingest: dialects, time formats, columns, bad rows with line numbers. */
class ObservationReaderTest {

    static CsvOptions options(String... args) {
        CsvOptions o = new CsvOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    static List<ObservationReader.Row> read(String csv, String... args) throws IOException {
        ObservationReader r = new ObservationReader(new StringReader(csv), options(args), "s", null);
        List<ObservationReader.Row> rows = new ArrayList<>();
        for (ObservationReader.Row row; (row = r.next()) != null; ) {
            rows.add(row);
        }
        return rows;
    }

    @Test
    void readsNamedColumnsAndIsoTimesInAZone() throws IOException {
        List<ObservationReader.Row> rows = read("""
                datetime_local,demand_mw,other
                2014-01-01 00:00:00,30000.5,x
                2014-07-01T00:30,31000,y
                """, "--time-col", "datetime_local", "--value-col", "demand_mw", "--time-zone", "Europe/London");
        assertEquals(2, rows.size());
        assertEquals(1388534400_000000L, rows.get(0).observation().getTsMicros(), "winter: London is UTC");
        assertEquals(1404171000_000000L, rows.get(1).observation().getTsMicros(), "summer: BST, an hour ahead");
        assertEquals(30000.5, rows.get(0).observation().getValue());
        assertEquals("s", rows.get(0).observation().getSeriesId());
        assertEquals(2, rows.get(0).line());
    }

    @Test
    void readsOhlcvWithEpochTimesQuotesCrlfAndABom() throws IOException {
        String csv = "\uFEFFts;o;h;l;c;v\r\n1700000000000;1;2;0.5;\"1,5\";10\r\n\r\n1700000060000;1.5;2;1;2;\r\n";
        List<ObservationReader.Row> rows = read(csv, "--time-col", "ts", "--time-format", "epoch-ms", "--delimiter", ";",
                "--open-col", "o", "--high-col", "h", "--low-col", "l", "--value-col", "c", "--volume-col", "v");
        assertTrue(rows.get(0).rejected(), "'1,5' is not a number: " + rows.get(0));
        assertEquals(2, rows.get(0).line());
        assertEquals("c", rows.get(0).column());
        Observation o = rows.get(1).observation();
        assertEquals(4, rows.get(1).line(), "the blank line 3 is skipped, line numbers still count it");
        assertEquals(1700000060_000000L, o.getTsMicros());
        assertEquals(2.0, o.getValue());
        assertEquals(1.5, o.getOpen());
        assertEquals(1.0, o.getLow());
        assertFalse(o.hasVolume(), "an empty optional column is not sent");
    }

    @Test
    void headerlessColumnsAreIndexesAndOtherTimeFormatsWork() throws IOException {
        assertEquals(1700000000_250000L, read("1700000000.25,5\n", "--no-header", "--time-col", "0", "--value-col", "1",
                "--time-format", "epoch-s").get(0).observation().getTsMicros());
        assertEquals(1700000000_000001L, read("1700000000000001\t5\n", "--no-header", "--time-col", "0", "--value-col", "1",
                "--time-format", "epoch-us", "--delimiter", "tab").get(0).observation().getTsMicros());
        assertEquals(1709294400_000000L, read("01/03/2024 12:00,5\n", "--no-header", "--time-col", "0", "--value-col", "1",
                "--time-pattern", "dd/MM/yyyy HH:mm").get(0).observation().getTsMicros());
        assertEquals(1709251200_000000L, read("2024-03-01,5\n", "--no-header", "--time-col", "0", "--value-col", "1")
                .get(0).observation().getTsMicros());
    }

    @Test
    void badRowsAreRejectedWithLineColumnAndReason() throws IOException {
        List<ObservationReader.Row> rows = read("""
                time,value
                2024-03-01T00:00:00Z,1
                yesterday,2
                2024-03-01T00:02:00Z,
                2024-03-01T00:03:00Z,1.5d
                2024-03-01T00:04:00Z
                2024-03-01T00:05:00Z,NaN
                "2024-03-01T00:06:00Z,3
                """);
        assertFalse(rows.get(0).rejected());
        assertEquals("3 time: 'yesterday' is not an ISO-8601", rows.get(1).line() + " " + rows.get(1).column() + ": "
                + rows.get(1).reason().substring(0, "'yesterday' is not an ISO-8601".length()));
        assertEquals("the value is empty", rows.get(2).reason());
        assertEquals("'1.5d' is not a number", rows.get(3).reason());
        assertTrue(rows.get(4).reason().startsWith("the row has 1 fields"), rows.get(4).reason());
        assertTrue(Double.isNaN(rows.get(5).observation().getValue()), "NaN is sent: the service explains why it refuses it");
        assertEquals(8, rows.get(6).line());
        assertTrue(rows.get(6).reason().contains("never closed"), rows.get(6).reason());
    }

    @Test
    void aColumnNotInTheHeaderIsAUsageErrorListingTheColumns() {
        UsageError e = assertThrows(UsageError.class, () -> read("a,b\n1,2\n", "--time-col", "a", "--value-col", "close"));
        assertEquals("--value-col 'close' is not in the CSV header; its columns are [a, b]", e.getMessage());
        assertThrows(UsageError.class, () -> read("1,2\n", "--no-header", "--time-col", "time"));
        assertThrows(UsageError.class, () -> read("a,b\n", "--time-col", "a", "--value-col", "b", "--time-zone", "Mars/Base"));
        assertThrows(UsageError.class, () -> read("a,b\n", "--time-col", "a", "--value-col", "b", "--delimiter", ";;"));
    }

    @Test
    void quotedFieldsMayHoldDelimitersQuotesAndLineBreaks() throws IOException {
        CsvRecords r = new CsvRecords(new StringReader("a,\"b,\"\"c\"\"\nd\",e\nf,g"), ',');
        CsvRecords.Record first = r.next();
        assertEquals(List.of("a", "b,\"c\"\nd", "e"), first.fields());
        assertEquals(1, first.line());
        CsvRecords.Record second = r.next();
        assertEquals(List.of("f", "g"), second.fields());
        assertEquals(3, second.line(), "the quoted line break counts");
        assertNull(r.next());
    }

    @Test
    void timeOptionsTakeIsoTimesAndDates() {
        assertEquals(1709251200_000000L, TimeValues.option("--from", "2024-03-01"));
        assertEquals(1709294400_000000L, TimeValues.option("--from", "2024-03-01T12:00:00Z"));
        assertEquals(1709294400_000000L, TimeValues.option("--from", "2024-03-01T13:00:00+01:00"));
        UsageError e = assertThrows(UsageError.class, () -> TimeValues.option("--to", "soon"));
        assertTrue(e.getMessage().startsWith("--to 'soon' is not a time"), e.getMessage());
    }
}
