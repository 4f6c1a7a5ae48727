package dev.arbiter.optimizer.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arbiter.optimizer.history.ImportSpec.ColumnMapping;
import dev.arbiter.optimizer.history.ImportSpec.TimeFormat;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Import and read times of the history store, in-process (CSV parse, sort, Parquet write through DuckDB, catalog
 * switch; Parquet read back into arrays). Not part of the normal suite: run with -Dhistory.bench=true; writes
 * target/history-bench.txt. Timings are wall-clock and only printed, never asserted.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "history.bench", matches = "true")
class HistoryBench {

    @Inject
    HistoryStore store;

    @Test
    void importAndRead() throws IOException {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%-44s %8s %10s %10s %12s", "series", "rows", "import ms", "read ms", "parquet B"));
        byte[] electricity;
        try (InputStream in = getClass().getResourceAsStream("/data/taylor_electricity_halfhourly.csv")) {
            electricity = in.readAllBytes();
        }
        ImportSpec uk = new ImportSpec("", new ColumnMapping("datetime_local", TimeFormat.ISO_8601, "", "Europe/London", "demand_mw", "", "", "", ""), true, "", true, 0, false);
        // warm-up: JIT, DuckDB's first query
        for (int i = 0; i < 5; i++) {
            run("warm-up", uk, electricity, null);
        }
        for (int i = 0; i < 3; i++) {
            out.add(run("electricity half-hourly (real, ISO + zone)", uk, electricity, null));
        }
        ImportSpec ohlcv = new ImportSpec("", new ColumnMapping("ts", TimeFormat.EPOCH_MILLIS, "", "", "close", "open", "high", "low", "volume"), true, "", true, 0, false);
        for (int rows : new int[] {100_000, 1_000_000}) {
            byte[] csv = syntheticOhlcv(rows, 7);
            for (int i = 0; i < 2; i++) {
                out.add(run("synthetic OHLCV " + rows + " rows (epoch ms)", ohlcv, csv, rows));
            }
        }
        out.add("JVM " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        Path report = Path.of("target", "history-bench.txt");
        Files.write(report, out, StandardCharsets.UTF_8);
        out.forEach(System.out::println);
    }

    private String run(String name, ImportSpec template, byte[] csv, Integer expectedRows) {
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        ImportSpec spec = new ImportSpec(id, template.columns(), true, "", true, 0, false);
        long t0 = System.nanoTime();
        ImportResult r = store.importCsv(spec, new ByteArrayInputStream(csv));
        long t1 = System.nanoTime();
        SeriesHistory h = store.read(id, 0, 0);
        long t2 = System.nanoTime();
        assertEquals(r.rowsImported(), h.size());
        if (expectedRows != null) {
            assertEquals((long) expectedRows, r.rowsImported());
        }
        return String.format(Locale.ROOT, "%-44s %8d %10.1f %10.1f %12d", name, h.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, r.series().sizeBytes());
    }

    /** A random-walk OHLCV minute series with a fixed seed, as a CSV. */
    static byte[] syntheticOhlcv(int rows, long seed) {
        Random rnd = new Random(seed);
        StringBuilder b = new StringBuilder(rows * 64).append("ts,open,high,low,close,volume\n");
        double price = 100;
        long ts = 1_600_000_000_000L;
        for (int i = 0; i < rows; i++) {
            double open = price;
            price *= Math.exp(rnd.nextGaussian() * 0.001);
            double high = Math.max(open, price) * (1 + rnd.nextDouble() * 0.0005);
            double low = Math.min(open, price) * (1 - rnd.nextDouble() * 0.0005);
            b.append(ts + 60_000L * i).append(',').append(open).append(',').append(high).append(',').append(low).append(',').append(price)
                    .append(',').append(rnd.nextInt(10_000)).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
