package dev.arbiter.optimizer.history;

import dev.arbiter.service.TimeRanges;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;

/**
 * Writes and reads one series' Parquet file through an embedded, in-memory DuckDB: one file per series, columns
 * ts_micros BIGINT (sorted, no duplicates), value DOUBLE and nullable open, high, low, volume DOUBLE. Writing goes
 * to a temporary file in the target's folder, which is fsynced and then renamed over the target, and the folder is
 * fsynced: a crash leaves the old file or the new one, never half a file.
 */
final class ParquetHistoryFiles implements AutoCloseable {

    static final String TEMP_SUFFIX = ".tmp";

    private final DuckDBConnection root;

    ParquetHistoryFiles(String memoryLimit) {
        Properties p = new Properties();
        p.setProperty("memory_limit", memoryLimit);
        // Parquet support is built into the JDBC driver; never reach out to the network for extensions.
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        try {
            this.root = (DuckDBConnection) new DuckDBDriver().connect("jdbc:duckdb:", p);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot start the embedded DuckDB: " + e.getMessage(), e);
        }
    }

    /** Writes the columns, already in time order without duplicates, to target atomically; returns the file size. */
    long write(Path target, ObservationColumns c) {
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        String table = "h_" + UUID.randomUUID().toString().replace("-", "");
        try (DuckDBConnection conn = (DuckDBConnection) root.duplicate(); Statement s = conn.createStatement()) {
            s.execute("CREATE TABLE " + table + " (ts_micros BIGINT NOT NULL, value DOUBLE NOT NULL, open DOUBLE, high DOUBLE, low DOUBLE, volume DOUBLE)");
            try {
                try (DuckDBAppender a = conn.createAppender(DuckDBConnection.DEFAULT_SCHEMA, table)) {
                    for (int i = 0; i < c.size; i++) {
                        a.beginRow();
                        a.append(c.ts[i]);
                        a.append(c.value[i]);
                        optional(a, c.open[i]);
                        optional(a, c.high[i]);
                        optional(a, c.low[i]);
                        optional(a, c.volume[i]);
                        a.endRow();
                    }
                }
                s.execute("COPY " + table + " TO " + literal(tmp) + " (FORMAT parquet, COMPRESSION zstd)");
            } finally {
                s.execute("DROP TABLE " + table);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(target.getParent());
            return Files.size(target);
        } catch (SQLException e) {
            throw new IllegalStateException("writing " + target + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target + " failed: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: a leftover temporary file is never read
            }
        }
    }

    private static void optional(DuckDBAppender a, double v) throws SQLException {
        if (Double.isNaN(v)) {
            a.appendNull();
        } else {
            a.append(v);
        }
    }

    /**
     * Reads the rows with start <= ts_micros < end (0 = open at either end: service-support's TimeRanges), at most
     * maxRows (0 = all), in time order.
     *
     * @throws java.nio.file.NoSuchFileException when the file is gone (replaced by a newer import)
     */
    ObservationColumns read(Path file, long start, long end, long maxRows) throws java.nio.file.NoSuchFileException {
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        String sql = "SELECT ts_micros, value, open, high, low, volume FROM read_parquet(" + literal(file)
                + ") WHERE ts_micros >= ? AND ts_micros < ? ORDER BY ts_micros" + (maxRows > 0 ? " LIMIT " + maxRows : "");
        try (Connection conn = root.duplicate(); PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, TimeRanges.from(start));
            ps.setLong(2, TimeRanges.until(end));
            ObservationColumns c = new ObservationColumns(maxRows > 0 ? (int) Math.min(maxRows, 1 << 16) : 1024);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    c.add(rs.getLong(1), rs.getDouble(2), optional(rs, 3), optional(rs, 4), optional(rs, 5), optional(rs, 6), 0);
                }
            }
            return c;
        } catch (SQLException e) {
            if (!Files.exists(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString());
            }
            throw new IllegalStateException("reading " + file + " failed: " + e.getMessage(), e);
        }
    }

    private static double optional(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }

    private static String literal(Path p) {
        return "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public void close() {
        try {
            root.close();
        } catch (SQLException ignored) {
            // shutting down
        }
    }
}
