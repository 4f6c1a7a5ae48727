package dev.arbiter.optimizer.history;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.optimizer.config.OptimizerConfig;
import dev.arbiter.service.Identifiers;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.TimeRanges;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Stored history of every series: one Parquet file per series under {@code arbiter.optimizer.history.root}, named
 * in the PostgreSQL catalog (table history_series). An import writes a complete new file next to the old one and then
 * switches the catalog row in one short transaction, so readers see the old history or the new, never a mix, and a
 * crash at any point leaves the previous history readable.
 */
@ApplicationScoped
public class HistoryStore {

    private static final Logger LOG = Logger.getLogger(HistoryStore.class);
    private static final Duration LEFTOVER_AGE = Duration.ofHours(1);

    private final OptimizerConfig.History config;
    private final HistoryCatalog catalog;
    private final Path root;
    private final Path importRoot;
    private final ParquetHistoryFiles files;
    /** Imports into one series run one at a time in this process; the catalog's generation guards across processes. */
    private final ReentrantLock[] locks = new ReentrantLock[64];

    HistoryStore(OptimizerConfig config, HistoryCatalog catalog) {
        this.config = config.history();
        this.catalog = catalog;
        this.root = Path.of(this.config.root()).toAbsolutePath().normalize();
        this.importRoot = this.config.importRoot().map(p -> Path.of(p).toAbsolutePath().normalize()).orElse(null);
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the history root " + root + " (arbiter.optimizer.history.root): " + e.getMessage(), e);
        }
        this.files = new ParquetHistoryFiles(this.config.duckdbMemoryLimit());
        removeLeftovers();
    }

    @PreDestroy
    void close() {
        files.close();
    }

    /** The folder the Parquet files live under. */
    public Path root() {
        return root;
    }

    /**
     * Reads [startTsMicros, endTsMicros) (0 = open end); RequestRefused NOT_FOUND (field "series_id") for an unknown
     * series, INVALID_ARGUMENT for an inverted range.
     */
    public SeriesHistory read(String seriesId, long startTsMicros, long endTsMicros) {
        return read(seriesId, startTsMicros, endTsMicros, 0);
    }

    /** As {@link #read(String, long, long)}, stopping after maxRows rows (0 = no limit). */
    public SeriesHistory read(String seriesId, long startTsMicros, long endTsMicros, long maxRows) {
        checkSeriesId("series_id", seriesId);
        TimeRanges.check("range", startTsMicros, endTsMicros);
        if (maxRows < 0) { // a uint64 above Long.MAX_VALUE
            throw invalid("max_rows", "max_rows is " + Long.toUnsignedString(maxRows) + "; send at most " + Long.MAX_VALUE
                    + ", or 0 for no limit");
        }
        for (int attempt = 0; ; attempt++) {
            HistoryCatalog.Entry e = entry(seriesId);
            try {
                return files.read(root.resolve(e.fileName()), startTsMicros, endTsMicros, maxRows).toHistory(seriesId);
            } catch (NoSuchFileException gone) {
                if (attempt >= 2) {
                    throw new IllegalStateException("the history file of series \"" + seriesId + "\" is missing: " + gone.getMessage());
                }
                // an import replaced the file between the catalog lookup and the read: look again
            }
        }
    }

    public boolean exists(String seriesId) {
        return !seriesId.isEmpty() && catalog.find(seriesId).isPresent();
    }

    /** The series' summary; NOT_FOUND when nothing is stored for it. */
    public HistorySeries series(String seriesId) {
        checkSeriesId("series_id", seriesId);
        return entry(seriesId).series();
    }

    /** Up to limit series after afterSeriesId ("" = from the first), ordered by series_id (byte order). */
    public List<HistorySeries> list(String afterSeriesId, int limit) {
        return catalog.page(afterSeriesId, limit);
    }

    /** Starts an import whose CSV bytes the caller feeds in chunks ("chunk" is the field blamed for bad data). */
    public CsvImport beginImport(ImportSpec spec) {
        return newImport(spec, "chunk");
    }

    /** Imports a whole CSV from a stream. */
    public ImportResult importCsv(ImportSpec spec, InputStream in) {
        CsvImport imp = newImport(spec, "csv");
        feedAll(imp, in, "csv");
        return imp.finish();
    }

    /** Imports a CSV file on this server, named relative to {@code arbiter.optimizer.history.import-root}. */
    public ImportResult importServerFile(ImportSpec spec, String serverPath) {
        String field = "spec.server_path";
        if (importRoot == null) {
            throw RequestRefused.precondition(field, "spec.server_path imports are off on this server (arbiter.optimizer.history.import-root is not set); stream the CSV as chunks instead");
        }
        CsvImport imp = newImport(spec, field);
        Path file;
        try {
            file = importRoot.resolve(serverPath).normalize();
        } catch (InvalidPathException e) {
            throw invalid(field, "spec.server_path \"" + serverPath + "\" is not a valid path (" + e.getReason() + "); send a path relative to the import root");
        }
        if (!file.startsWith(importRoot) || file.equals(importRoot)) {
            throw invalid(field, "spec.server_path \"" + serverPath + "\" points outside the import root; send the path of a file inside it, without \"..\"");
        }
        if (!Files.isRegularFile(file)) {
            throw invalid(field, "spec.server_path \"" + serverPath + "\" is not a file under the import root; check the name (it is relative to the import root)");
        }
        try {
            if (!file.toRealPath().startsWith(importRoot.toRealPath())) {
                throw invalid(field, "spec.server_path \"" + serverPath + "\" links to a file outside the import root; copy the file into the import root");
            }
            long size = Files.size(file);
            if (spec.sizeBytes() > 0 && size != spec.sizeBytes()) {
                throw invalid("spec.size_bytes", "spec.size_bytes is " + spec.sizeBytes() + " but the file has " + size + " bytes; send its exact size, or 0 to leave it unchecked");
            }
            try (InputStream in = Files.newInputStream(file)) {
                feedAll(imp, in, field);
            }
        } catch (IOException e) {
            throw invalid(field, "spec.server_path \"" + serverPath + "\" cannot be read (" + e.getMessage() + "); check the file's permissions");
        }
        return imp.finish();
    }

    private CsvImport newImport(ImportSpec spec, String dataField) {
        checkSeriesId("spec.series_id", spec.seriesId());
        if (spec.replaceExisting() && spec.append()) {
            throw invalid("spec.append", "spec.append and spec.replace_existing are both true; send replace_existing to replace"
                    + " the series' history, or append to add to it");
        }
        catalog.find(spec.seriesId()).ifPresent(e -> checkMayAddTo(spec, e)); // before a byte of the CSV is read
        return new CsvImport(this, spec, dataField, config.maxImportBytes(), config.maxRejectedRowsReported());
    }

    /** An import into a series that holds history must say whether it adds to it or replaces it. */
    private static void checkMayAddTo(ImportSpec spec, HistoryCatalog.Entry existing) {
        if (!spec.replaceExisting() && !spec.append()) {
            HistorySeries s = existing.series();
            throw RequestRefused.precondition("spec.append", "series \"" + spec.seriesId() + "\" already holds " + s.rowCount()
                    + " rows of history (" + utc(s.startTsMicros()) + " .. " + utc(s.endTsMicros()) + "); send spec.append"
                    + " true to add these rows to it (rows at times already stored are rejected), spec.replace_existing true to"
                    + " replace it, or another series_id");
        }
    }

    private static String utc(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString();
    }

    private static void feedAll(CsvImport imp, InputStream in, String field) {
        byte[] buf = new byte[1 << 16];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                imp.feed(buf, 0, n);
            }
        } catch (IOException e) {
            throw invalid(field, "the CSV (" + field + ") cannot be read: " + e.getMessage());
        }
    }

    /** Sorts, drops duplicates, merges with what is stored unless replacing, writes the new file and switches to it. */
    ImportResult store(CsvImport imp) {
        String seriesId = imp.seriesId();
        ObservationColumns rows = imp.rows();
        CsvImport.Rejections rejected = imp.rejections();
        String timeColumn = imp.timeLabel();

        ObservationColumns unique = new ObservationColumns(rows.size);
        long firstLine = 0;
        for (int i : rows.timeOrder()) {
            if (unique.size > 0 && unique.ts[unique.size - 1] == rows.ts[i]) {
                rejected.add(rows.line[i], timeColumn, "duplicate ts_micros " + rows.ts[i] + " (first at line " + firstLine + ")");
            } else {
                unique.addFrom(rows, i);
                firstLine = rows.line[i];
            }
        }

        ReentrantLock lock = locks[Math.floorMod(seriesId.hashCode(), locks.length)];
        lock.lock();
        try {
            Optional<HistoryCatalog.Entry> current = catalog.find(seriesId);
            ObservationColumns stored = unique;
            long imported = unique.size;
            current.ifPresent(e -> checkMayAddTo(imp.spec(), e)); // again under the lock: another import may have created it
            if (current.isPresent() && !imp.spec().replaceExisting()) {
                ObservationColumns existing = readAll(seriesId, current.get());
                stored = new ObservationColumns(existing.size + unique.size);
                imported = 0;
                int a = 0;
                int b = 0;
                while (a < existing.size || b < unique.size) {
                    if (b >= unique.size || (a < existing.size && existing.ts[a] < unique.ts[b])) {
                        stored.addFrom(existing, a++);
                    } else if (a < existing.size && existing.ts[a] == unique.ts[b]) {
                        rejected.add(unique.line[b], timeColumn, "duplicate ts_micros " + unique.ts[b]
                                + " (already stored; send replace_existing true to replace the stored history)");
                        b++;
                    } else {
                        stored.addFrom(unique, b++);
                        imported++;
                    }
                }
            }
            if (imported == 0) {
                RejectedRow first = rejected.first().get(0);
                throw invalid(imp.dataField(), "none of the " + imp.rowsRead() + " data rows of " + imp.csvName() + " can be imported (first: line " + first.lineNumber()
                        + (first.column().isEmpty() ? "" : ", column \"" + first.column() + "\"") + ": " + first.reason()
                        + "); fix the rows or the column mapping");
            }
            long importedStart = Long.MAX_VALUE;
            long importedEnd = Long.MIN_VALUE;
            for (int i = 0; i < stored.size; i++) {
                if (stored.line[i] > 0) {
                    importedStart = Math.min(importedStart, stored.ts[i]);
                    importedEnd = Math.max(importedEnd, stored.ts[i] + 1);
                }
            }

            long generation = current.map(HistoryCatalog.Entry::generation).orElse(0L);
            String fileName = folderName(seriesId) + "/" + (generation + 1) + "-" + UUID.randomUUID().toString().substring(0, 8) + ".parquet";
            Path file = root.resolve(fileName);
            HistoryCatalog.Entry switched;
            try {
                Files.createDirectories(file.getParent());
                long size = files.write(file, stored);
                HistorySeries summary = new HistorySeries(seriesId, stored.ts[0], stored.ts[stored.size - 1] + 1, stored.size, size, nowMicros());
                switched = catalog.switchTo(summary, fileName, generation);
            } catch (IOException e) {
                deleteQuietly(file);
                throw new UncheckedIOException("cannot write the history of series \"" + seriesId + "\" under " + root + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                deleteQuietly(file);
                throw e;
            }
            current.ifPresent(old -> deleteQuietly(root.resolve(old.fileName())));
            return new ImportResult(seriesId, imp.rowsRead(), imported, rejected.count(), importedStart, importedEnd,
                    rejected.first(), imp.bytesRead(), switched.series());
        } finally {
            lock.unlock();
        }
    }

    private ObservationColumns readAll(String seriesId, HistoryCatalog.Entry e) {
        try {
            return files.read(root.resolve(e.fileName()), 0, 0, 0);
        } catch (NoSuchFileException gone) {
            throw new IllegalStateException("the history file of series \"" + seriesId + "\" is missing: " + gone.getMessage());
        }
    }

    private HistoryCatalog.Entry entry(String seriesId) {
        return catalog.find(seriesId).orElseThrow(() -> RequestRefused.notFound("series_id",
                "series_id \"" + seriesId + "\" has no stored history; import it with ImportHistory first (ListHistory shows the stored series)"));
    }

    private void checkSeriesId(String field, String seriesId) {
        Identifiers.requireIdentifier(field, seriesId, config.maxSeriesIdLength(), "the series");
    }

    /** A folder name for the series: readable where possible, never "..", never too long for a file system. */
    static String folderName(String seriesId) {
        StringBuilder b = new StringBuilder();
        for (byte x : seriesId.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                b.append(c);
            } else {
                b.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        if (b.length() <= 120) {
            return b.toString();
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(seriesId.getBytes(StandardCharsets.UTF_8));
            return b.substring(0, 80) + "~" + HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warnf("could not delete %s: %s", p, e.getMessage());
        }
    }

    /** Temporary files a crashed import left behind (over an hour old, so no running import still writes them). */
    private void removeLeftovers() {
        FileTime before = FileTime.from(Instant.now().minus(LEFTOVER_AGE));
        try (DirectoryStream<Path> series = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : series) {
                try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, "*" + ParquetHistoryFiles.TEMP_SUFFIX)) {
                    for (Path p : tmp) {
                        if (Files.getLastModifiedTime(p).compareTo(before) < 0) {
                            deleteQuietly(p);
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.warnf("could not look for leftover temporary files under %s: %s", root, e.getMessage());
        }
    }
}
