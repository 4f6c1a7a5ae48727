package dev.arbiter.optimizer.history;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arbiter.optimizer.history.ImportSpec.ColumnMapping;
import dev.arbiter.optimizer.history.ImportSpec.TimeFormat;
import dev.arbiter.service.RequestRefused;

/**
 * Fuzz target: a CSV import (ImportHistory, `arbiter history import`) with any column mapping and any bytes, cut into
 * chunks anywhere. It parses to rows and rejected rows, or is refused naming the spec field or the data; nothing else
 * escapes (the rows are not stored: that is the history store's, past the parse). Saved inputs replay in mvn verify;
 * bench/fuzz.sh fuzzes.
 */
class CsvImportFuzzTest {

    private static final String[] COLUMNS = {"time", "close", "open", "high", "low", "volume", "0", "1", "2", "", "x"};

    @FuzzTest(maxDuration = "2h") // bench/fuzz.sh bounds a run by its count of inputs
    void anyCsvParsesOrIsRefusedNamingTheField(FuzzedDataProvider data) {
        TimeFormat format = data.pickValue(TimeFormat.values());
        ColumnMapping columns = new ColumnMapping(data.pickValue(COLUMNS), format,
                format == TimeFormat.PATTERN ? data.consumeString(30) : "", data.pickValue(new String[] {"", "UTC", "Europe/Paris", "Nowhere/x"}),
                data.pickValue(COLUMNS), data.pickValue(COLUMNS), data.pickValue(COLUMNS), data.pickValue(COLUMNS), data.pickValue(COLUMNS));
        ImportSpec spec = new ImportSpec("fuzz", columns, data.consumeBoolean(), data.pickValue(new String[] {"", ",", ";", "\t", "ab"}),
                false, data.consumeBoolean() ? data.consumeLong(0, 10_000) : 0, false);
        int chunk = data.consumeInt(1, 64);
        byte[] csv = data.consumeRemainingAsBytes();
        try {
            CsvImport csvImport = new CsvImport(null, spec, "chunk", 1 << 20, 10);
            for (int at = 0; at < csv.length; at += chunk) {
                csvImport.feed(csv, at, Math.min(chunk, csv.length - at));
            }
            csvImport.endOfCsv();
            if (csvImport.rows().size > csvImport.rowsRead()) {
                throw new AssertionError(csvImport.rows().size + " rows kept of " + csvImport.rowsRead() + " read");
            }
        } catch (RequestRefused refused) {
            if (!refused.explained()) {
                throw new AssertionError("unexplained refusal " + refused.code() + " " + refused.field() + ": " + refused.getMessage());
            }
        }
    }
}
