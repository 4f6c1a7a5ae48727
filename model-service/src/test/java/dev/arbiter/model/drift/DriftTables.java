package dev.arbiter.model.drift;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The shared drift references for plain unit tests: the real PostgreSQL on this machine (database arbiter_test), in
 * a schema of their own ({@value #SCHEMA}) made from the service's own migration, emptied for every test.
 */
final class DriftTables {

    static final String SCHEMA = "drift_unit";

    private DriftTables() {
    }

    /** Drops and recreates the table; every monitor built on the answer shares it, as replicas do. */
    static DriftReferences fresh() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:5432/arbiter_test");
        ds.setUser("postgres");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            s.execute("DROP TABLE IF EXISTS " + SCHEMA + ".drift_reference");
            s.execute("SET search_path TO " + SCHEMA);
            s.execute(migration());
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432 (database arbiter_test) is needed", e);
        }
        return new DriftReferences(ds, SCHEMA);
    }

    private static String migration() {
        try (InputStream in = DriftTables.class.getResourceAsStream("/db/migration/V4__drift_reference.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
