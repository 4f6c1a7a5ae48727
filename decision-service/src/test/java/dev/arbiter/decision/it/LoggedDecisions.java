package dev.arbiter.decision.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the decision log holds for a test's series, read from PostgreSQL directly: the decision ids, and how many rows
 * each observation (series, time) has. Decision ids are a primary key, so "exactly once" is checked per observation:
 * an acknowledged decision logged again under another id (a replay decided twice) shows as an observation with two rows.
 */
record LoggedDecisions(Set<String> ids, Map<String, Long> rowsPerObservation) {

    /** The log of {@code database} on the machine's PostgreSQL, or at a JDBC URL. */
    static LoggedDecisions read(String database, String seriesPattern) throws Exception {
        Set<String> ids = new HashSet<>();
        Map<String, Long> perObservation = new HashMap<>();
        String url = database.startsWith("jdbc:") ? database : "jdbc:postgresql://127.0.0.1:5432/" + database;
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT decision_id::text, series_id, ts_micros FROM decision.decision WHERE series_id LIKE ?")) {
            ps.setString(1, seriesPattern);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                    perObservation.merge(rs.getString(2) + "@" + rs.getLong(3), 1L, Long::sum);
                }
            }
        }
        return new LoggedDecisions(ids, perObservation);
    }

    /** Reads until every id of {@code acknowledged} is there (the log commits in groups; a spool drains), up to 60 s. */
    static LoggedDecisions await(String database, String seriesPattern, Set<String> acknowledged) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        LoggedDecisions logged = read(database, seriesPattern);
        while (!logged.ids().containsAll(acknowledged) && System.nanoTime() < end) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // between polls of the log
            logged = read(database, seriesPattern);
        }
        return logged;
    }

    /** The acknowledged ids that are not logged. */
    Set<String> missing(Set<String> acknowledged) {
        Set<String> out = new HashSet<>(acknowledged);
        out.removeAll(ids);
        return out;
    }

    /** The observations logged more than once, with their row counts. */
    Map<String, Long> duplicated() {
        Map<String, Long> out = new TreeMap<>();
        rowsPerObservation.forEach((k, v) -> {
            if (v != 1) {
                out.put(k, v);
            }
        });
        return out;
    }
}
