package dev.arbiter.model.drift;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * The drift reference windows in PostgreSQL ({@code model.drift_reference}), shared by every replica: one row per
 * monitored version with its generation (bumped by every reset), the frozen reference once a replica stored it, and
 * the shared alert state. Plain JDBC on the service's datasource, each call its own auto-committed statement; every
 * write that races another replica is a conditional UPDATE, so exactly one replica wins.
 */
@ApplicationScoped
public class DriftReferences {

    private static final String COLUMNS = "generation, reason, reset_ts_micros, names, reference_values, sample_count,"
            + " first_ts_micros, last_ts_micros, set_ts_micros";

    private final DataSource dataSource;
    private final String table;

    @Inject
    public DriftReferences(DataSource dataSource) {
        this(dataSource, "model");
    }

    /** On the table {@code drift_reference} of another schema (tests). */
    DriftReferences(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.table = schema + ".drift_reference";
    }

    /**
     * One row as stored.
     *
     * @param generation bumped by every reset
     * @param reason why the window was last reset: {@code activation}, {@code refresh} or {@code first predictions}
     * @param resetTsMicros when it was last reset
     * @param reference the frozen window, null while it fills
     */
    public record Row(long generation, String reason, long resetTsMicros, Reference reference) {
    }

    /**
     * A frozen reference window.
     *
     * @param names the quantities (input features, then the score), in input order
     * @param values {@code values[quantity][sample]}, in arrival order, NaN kept
     * @param firstTsMicros timestamp of its first prediction
     * @param lastTsMicros timestamp of its last prediction
     * @param setTsMicros when it was stored
     */
    public record Reference(List<String> names, double[][] values, long firstTsMicros, long lastTsMicros, long setTsMicros) {

        public int sampleCount() {
            return values.length == 0 ? 0 : values[0].length;
        }
    }

    /** The row of a version, created empty (reason {@code first predictions}) when it has none. */
    public Row load(String model, int version, long nowMicros) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Row row = select(c, model, version);
            if (row != null) {
                return row;
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " (model_name, version,"
                    + " generation, reason, reset_ts_micros) VALUES (?, ?, 1, 'first predictions', ?)"
                    + " ON CONFLICT (model_name, version) DO NOTHING")) {
                s.setString(1, model);
                s.setInt(2, version);
                s.setLong(3, nowMicros);
                s.executeUpdate();
            }
            return select(c, model, version);
        }
    }

    /**
     * Empties a version's reference and bumps its generation; the next predictions form a new one. The time of the
     * last alert stays, so a refresh does not shorten the alert cooldown.
     *
     * @return the new generation
     */
    public long reset(String model, int version, String reason, long nowMicros) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " (model_name, version,"
                     + " generation, reason, reset_ts_micros) VALUES (?, ?, 1, ?, ?)"
                     + " ON CONFLICT (model_name, version) DO UPDATE SET generation = drift_reference.generation + 1,"
                     + " reason = EXCLUDED.reason, reset_ts_micros = EXCLUDED.reset_ts_micros, names = NULL,"
                     + " reference_values = NULL, sample_count = NULL, first_ts_micros = NULL, last_ts_micros = NULL,"
                     + " set_ts_micros = NULL, drifted = false RETURNING generation")) {
            s.setString(1, model);
            s.setInt(2, version);
            s.setString(3, reason);
            s.setLong(4, nowMicros);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * Stores a filled reference unless another replica stored one first or the window was reset meanwhile.
     *
     * @return whether this one was stored
     */
    public boolean store(String model, int version, long generation, Reference reference) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET names = ?, reference_values = ?,"
                     + " sample_count = ?, first_ts_micros = ?, last_ts_micros = ?, set_ts_micros = ?"
                     + " WHERE model_name = ? AND version = ? AND generation = ? AND reference_values IS NULL")) {
            Array names = c.createArrayOf("text", reference.names().toArray());
            s.setArray(1, names);
            s.setBytes(2, encode(reference.values()));
            s.setInt(3, reference.sampleCount());
            s.setLong(4, reference.firstTsMicros());
            s.setLong(5, reference.lastTsMicros());
            s.setLong(6, reference.setTsMicros());
            s.setString(7, model);
            s.setInt(8, version);
            s.setLong(9, generation);
            return s.executeUpdate() == 1;
        }
    }

    /**
     * Claims the alert of a drift: true for exactly one replica, when the version was not already marked drifted in
     * this generation and its last alert is at least {@code cooldownMicros} old.
     */
    public boolean claimAlert(String model, int version, long generation, long nowMicros, long cooldownMicros)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET drifted = true,"
                     + " last_alert_ts_micros = ? WHERE model_name = ? AND version = ? AND generation = ?"
                     + " AND NOT drifted AND (last_alert_ts_micros IS NULL OR last_alert_ts_micros <= ?)")) {
            s.setLong(1, nowMicros);
            s.setString(2, model);
            s.setInt(3, version);
            s.setLong(4, generation);
            s.setLong(5, nowMicros - cooldownMicros);
            return s.executeUpdate() == 1;
        }
    }

    /** Marks the drift over (a replica saw the version no longer drifted), so the next drift alerts again. */
    public void clearDrifted(String model, int version, long generation) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET drifted = false"
                     + " WHERE model_name = ? AND version = ? AND generation = ?")) {
            s.setString(1, model);
            s.setInt(2, version);
            s.setLong(3, generation);
            s.executeUpdate();
        }
    }

    /** Removes a retired version's row. */
    public void delete(String model, int version) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "DELETE FROM " + table + " WHERE model_name = ? AND version = ?")) {
            s.setString(1, model);
            s.setInt(2, version);
            s.executeUpdate();
        }
    }

    private Row select(Connection c, String model, int version) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                + " FROM " + table + " WHERE model_name = ? AND version = ?")) {
            s.setString(1, model);
            s.setInt(2, version);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                Reference reference = null;
                byte[] bytes = r.getBytes("reference_values");
                if (bytes != null) {
                    List<String> names = List.of((String[]) r.getArray("names").getArray());
                    reference = new Reference(names, decode(bytes, names.size(), r.getInt("sample_count")),
                            r.getLong("first_ts_micros"), r.getLong("last_ts_micros"), r.getLong("set_ts_micros"));
                }
                return new Row(r.getLong("generation"), r.getString("reason"), r.getLong("reset_ts_micros"), reference);
            }
        }
    }

    /** float64 big-endian, quantity after quantity. */
    static byte[] encode(double[][] values) {
        int samples = values.length == 0 ? 0 : values[0].length;
        ByteBuffer b = ByteBuffer.allocate(values.length * samples * Double.BYTES);
        for (double[] q : values) {
            for (double v : q) {
                b.putDouble(v);
            }
        }
        return b.array();
    }

    static double[][] decode(byte[] bytes, int quantities, int samples) {
        if (bytes.length != (long) quantities * samples * Double.BYTES) {
            throw new IllegalStateException("drift reference holds " + bytes.length + " bytes, not " + quantities
                    + " quantities x " + samples + " samples of 8 bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        double[][] out = new double[quantities][samples];
        for (double[] q : out) {
            for (int i = 0; i < samples; i++) {
                q[i] = b.getDouble();
            }
        }
        return out;
    }
}
