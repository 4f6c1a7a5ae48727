package dev.arbiter.optimizer.study;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.arbiter.proto.v1.IntermediateValue;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialState;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Studies and trials in PostgreSQL (schema optimizer: study, trial, trial_intermediate), shared by every process.
 * Concurrency rests on one row lock: Ask, Tell and the stale-trial sweep of a study each hold its study row
 * ({@code FOR UPDATE}) for their short transaction, so trial numbers are unique and dense, a trial is told at most
 * once, and trials are finished in the order of their {@code finish_seq} commits, which lets each process's sampler
 * read only what finished since it last looked.
 */
@ApplicationScoped
public class StudyStore {

    /** A stored study: its id, its definition as created, when. */
    public record StoredStudy(long id, Study definition, long createdTsMicros) {
    }

    /** A trial row with the finish sequence that orders it among finished trials. */
    public record StoredTrial(Trial trial, long finishSeq) {
    }

    /** What happens inside a locked study: given the connection, answers a result. */
    public interface Locked<T> {
        T run(Connection c, StoredStudy study) throws SQLException;
    }

    private static final String TRIAL_COLUMNS = "number, state, params, vals, started_ts_micros, completed_ts_micros,"
            + " fail_reason, user_attrs, backtest_report_id, finish_seq";

    private final DataSource db;

    public StudyStore(DataSource db) {
        this.db = db;
    }

    /** Inserts the study; empty when the name is taken. */
    public Optional<StoredStudy> create(Study definition, long nowMicros) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO optimizer.study (name, definition, created_ts_micros) VALUES (?, ?, ?)"
                        + " ON CONFLICT (name) DO NOTHING RETURNING study_id")) {
            ps.setString(1, definition.getStudyName());
            ps.setBytes(2, definition.toByteArray());
            ps.setLong(3, nowMicros);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new StoredStudy(rs.getLong(1), definition, nowMicros)) : Optional.empty();
            }
        }
    }

    public Optional<StoredStudy> find(String name) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT study_id, definition, created_ts_micros FROM optimizer.study WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(study(rs)) : Optional.empty();
            }
        }
    }

    /** Studies newest first, after the study id {@code beforeId} (0 = from the newest). */
    public List<StoredStudy> list(long beforeId, int limit) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT study_id, definition, created_ts_micros FROM optimizer.study WHERE (? = 0 OR study_id < ?)"
                        + " ORDER BY study_id DESC LIMIT ?")) {
            ps.setLong(1, beforeId);
            ps.setLong(2, beforeId);
            ps.setInt(3, limit);
            List<StoredStudy> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(study(rs));
                }
            }
            return out;
        }
    }

    /** Trials per state. */
    public Map<TrialState, Integer> counts(long studyId) throws SQLException {
        Map<TrialState, Integer> out = new EnumMap<>(TrialState.class);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT state, count(*) FROM optimizer.trial WHERE study_id = ? GROUP BY state")) {
            ps.setLong(1, studyId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(TrialState.valueOf("TRIAL_STATE_" + rs.getString(1)), rs.getInt(2));
                }
            }
        }
        return out;
    }

    /** Runs {@code work} in one transaction holding the study's row lock; rolled back when it throws. */
    public <T> T locked(long studyId, Locked<T> work) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                StoredStudy study;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT study_id, definition, created_ts_micros FROM optimizer.study WHERE study_id = ? FOR UPDATE")) {
                    ps.setLong(1, studyId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("study " + studyId + " is gone", "02000");
                        }
                        study = study(rs);
                    }
                }
                T result = work.run(c, study);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; the pool discards it
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    // ---- inside a locked study ---------------------------------------------------------------------

    /** The next trial number (under the study lock: unique and dense). */
    public static int nextNumber(Connection c, long studyId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE optimizer.study SET next_trial_number = next_trial_number + 1"
                + " WHERE study_id = ? RETURNING next_trial_number - 1")) {
            ps.setLong(1, studyId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    public static void insertRunning(Connection c, long studyId, Trial trial, String worker) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO optimizer.trial (study_id, number, state, params,"
                + " started_ts_micros, heartbeat_ts_micros, worker) VALUES (?, ?, 'RUNNING', ?, ?, ?, ?)")) {
            ps.setLong(1, studyId);
            ps.setInt(2, trial.getNumber());
            ps.setBytes(3, Trial.newBuilder().putAllParams(trial.getParamsMap()).build().toByteArray());
            ps.setLong(4, trial.getStartedTsMicros());
            ps.setLong(5, trial.getStartedTsMicros());
            ps.setString(6, worker);
            ps.executeUpdate();
        }
    }

    /**
     * Marks FAIL every RUNNING trial of the study whose heartbeat is older than {@code staleBeforeMicros}; answers
     * their numbers.
     */
    public static List<Integer> failStale(Connection c, long studyId, long staleBeforeMicros, long nowMicros, String reason)
            throws SQLException {
        List<Integer> failed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("UPDATE optimizer.trial SET state = 'FAIL', fail_reason = ?,"
                + " completed_ts_micros = ?, finish_seq = nextval('optimizer.trial_finish_seq')"
                + " WHERE study_id = ? AND state = 'RUNNING' AND heartbeat_ts_micros < ? RETURNING number")) {
            ps.setString(1, reason);
            ps.setLong(2, nowMicros);
            ps.setLong(3, studyId);
            ps.setLong(4, staleBeforeMicros);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    failed.add(rs.getInt(1));
                }
            }
        }
        return failed;
    }

    /** Trials finished after {@code afterSeq}, in finish order, with their intermediate values. */
    public static List<StoredTrial> finishedSince(Connection c, long studyId, long afterSeq) throws SQLException {
        return trials(c, "SELECT " + TRIAL_COLUMNS + " FROM optimizer.trial WHERE study_id = ? AND finish_seq > ?"
                + " ORDER BY finish_seq", true, studyId, afterSeq);
    }

    /** The RUNNING trials, without intermediate values. */
    public static List<StoredTrial> running(Connection c, long studyId) throws SQLException {
        return trials(c, "SELECT " + TRIAL_COLUMNS + " FROM optimizer.trial WHERE study_id = ? AND state = 'RUNNING'"
                + " ORDER BY number", false, studyId);
    }

    /** One trial, locked for update, with its intermediate values. */
    public static Optional<StoredTrial> trialForUpdate(Connection c, long studyId, int number) throws SQLException {
        List<StoredTrial> t = trials(c, "SELECT " + TRIAL_COLUMNS + " FROM optimizer.trial WHERE study_id = ? AND number = ?"
                + " FOR UPDATE", true, studyId, number);
        return t.isEmpty() ? Optional.empty() : Optional.of(t.get(0));
    }

    /** Finishes a RUNNING trial (the caller checked it is); answers its finish sequence. */
    public static long finish(Connection c, long studyId, int number, TrialState state, List<Double> values,
                              String failReason, Map<String, String> userAttrs, String backtestReportId, long nowMicros)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE optimizer.trial SET state = ?, vals = ?, fail_reason = ?,"
                + " user_attrs = ?, backtest_report_id = ?, completed_ts_micros = ?,"
                + " finish_seq = nextval('optimizer.trial_finish_seq') WHERE study_id = ? AND number = ? RETURNING finish_seq")) {
            ps.setString(1, stateName(state));
            ps.setArray(2, values.isEmpty() ? null : c.createArrayOf("float8", values.toArray()));
            ps.setString(3, failReason);
            ps.setBytes(4, userAttrs.isEmpty() ? null : Trial.newBuilder().putAllUserAttrs(userAttrs).build().toByteArray());
            ps.setString(5, backtestReportId);
            ps.setLong(6, nowMicros);
            ps.setLong(7, studyId);
            ps.setInt(8, number);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Adds an intermediate value; false when the step was reported before. Refreshes the heartbeat. */
    public static boolean addIntermediate(Connection c, long studyId, int number, long step, double value, long nowMicros)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO optimizer.trial_intermediate (study_id, number, step, val)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, studyId);
            ps.setInt(2, number);
            ps.setLong(3, step);
            ps.setDouble(4, value);
            if (ps.executeUpdate() == 0) {
                return false;
            }
        }
        heartbeat(c, studyId, List.of(number), nowMicros);
        return true;
    }

    /** Adds the intermediate values a worker reports with its result, in one statement. */
    public static void addIntermediates(Connection c, long studyId, int number, List<IntermediateValue> values)
            throws SQLException {
        if (values.isEmpty()) {
            return;
        }
        Long[] steps = new Long[values.size()];
        Double[] vals = new Double[values.size()];
        for (int i = 0; i < values.size(); i++) {
            steps[i] = values.get(i).getStep();
            vals[i] = values.get(i).getValue();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO optimizer.trial_intermediate (study_id, number, step, val)"
                + " SELECT ?, ?, s, v FROM unnest(?::bigint[], ?::float8[]) AS u(s, v) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, studyId);
            ps.setInt(2, number);
            ps.setArray(3, c.createArrayOf("int8", steps));
            ps.setArray(4, c.createArrayOf("float8", vals));
            ps.executeUpdate();
        }
    }

    /** Refreshes the heartbeat of RUNNING trials. */
    public static void heartbeat(Connection c, long studyId, List<Integer> numbers, long nowMicros) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE optimizer.trial SET heartbeat_ts_micros = ?"
                + " WHERE study_id = ? AND number = ANY (?) AND state = 'RUNNING'")) {
            ps.setLong(1, nowMicros);
            ps.setLong(2, studyId);
            ps.setArray(3, c.createArrayOf("int4", numbers.toArray()));
            ps.executeUpdate();
        }
    }

    // ---- reads without the lock ---------------------------------------------------------------------

    /** Refreshes the heartbeat of RUNNING trials, in a transaction of its own. */
    public void heartbeat(long studyId, List<Integer> numbers, long nowMicros) throws SQLException {
        try (Connection c = db.getConnection()) {
            heartbeat(c, studyId, numbers, nowMicros);
        }
    }

    /** Trials by number after {@code afterNumber}, optionally of one state, with intermediate values. */
    public List<Trial> list(long studyId, TrialState state, int afterNumber, int limit) throws SQLException {
        try (Connection c = db.getConnection()) {
            String filter = state == TrialState.TRIAL_STATE_UNSPECIFIED ? "" : " AND state = '" + stateName(state) + "'";
            List<Trial> out = new ArrayList<>();
            for (StoredTrial t : trials(c, "SELECT " + TRIAL_COLUMNS + " FROM optimizer.trial WHERE study_id = ? AND number > ?"
                    + filter + " ORDER BY number LIMIT " + limit, true, studyId, afterNumber)) {
                out.add(t.trial());
            }
            return out;
        }
    }

    /** The COMPLETE trials. */
    public List<Trial> complete(long studyId) throws SQLException {
        return list(studyId, TrialState.TRIAL_STATE_COMPLETE, -1, Integer.MAX_VALUE);
    }

    /** Studies with RUNNING trials, for the stale-trial sweep. */
    public List<Long> studiesWithRunningTrials() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT study_id FROM optimizer.trial WHERE state = 'RUNNING'")) {
            List<Long> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }
    }

    // ---- mapping -------------------------------------------------------------------------------------

    private static StoredStudy study(ResultSet rs) throws SQLException {
        try {
            return new StoredStudy(rs.getLong(1), Study.parseFrom(rs.getBytes(2)), rs.getLong(3));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored study definition does not parse", e);
        }
    }

    private static List<StoredTrial> trials(Connection c, String sql, boolean withIntermediates, long studyId, long... args)
            throws SQLException {
        List<Trial.Builder> builders = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, studyId);
            for (int i = 0; i < args.length; i++) {
                ps.setLong(2 + i, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Trial.Builder b = Trial.newBuilder()
                            .setNumber(rs.getInt(1))
                            .setState(TrialState.valueOf("TRIAL_STATE_" + rs.getString(2)))
                            .mergeFrom(rs.getBytes(3));
                    Array vals = rs.getArray(4);
                    if (vals != null) {
                        for (Object v : (Object[]) vals.getArray()) {
                            b.addValues(((Number) v).doubleValue());
                        }
                    }
                    b.setStartedTsMicros(rs.getLong(5)).setCompletedTsMicros(rs.getLong(6)).setFailReason(rs.getString(7));
                    byte[] attrs = rs.getBytes(8);
                    if (attrs != null) {
                        b.mergeFrom(attrs);
                    }
                    b.setBacktestReportId(rs.getString(9));
                    long seq = rs.getLong(10);
                    builders.add(b);
                    seqs.add(rs.wasNull() ? 0 : seq);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored trial does not parse", e);
        }
        if (withIntermediates && !builders.isEmpty()) {
            Map<Integer, List<IntermediateValue>> all = intermediatesOf(c, studyId,
                    builders.stream().map(Trial.Builder::getNumber).toArray(Integer[]::new));
            for (Trial.Builder b : builders) {
                b.addAllIntermediateValues(all.getOrDefault(b.getNumber(), List.of()));
            }
        }
        List<StoredTrial> out = new ArrayList<>(builders.size());
        for (int i = 0; i < builders.size(); i++) {
            out.add(new StoredTrial(builders.get(i).build(), seqs.get(i)));
        }
        return out;
    }

    private static Map<Integer, List<IntermediateValue>> intermediatesOf(Connection c, long studyId, Integer[] numbers)
            throws SQLException {
        Map<Integer, List<IntermediateValue>> out = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT number, step, val FROM optimizer.trial_intermediate"
                + " WHERE study_id = ? AND number = ANY (?) ORDER BY number, step")) {
            ps.setLong(1, studyId);
            ps.setArray(2, c.createArrayOf("int4", numbers));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getInt(1), k -> new ArrayList<>())
                            .add(IntermediateValue.newBuilder().setStep(rs.getLong(2)).setValue(rs.getDouble(3)).build());
                }
            }
        }
        return out;
    }

    static String stateName(TrialState state) {
        return state.name().substring("TRIAL_STATE_".length());
    }
}
