package dev.arbiter.decision.log;

import dev.arbiter.decision.config.DecisionLogConfig;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.GateResult;
import dev.arbiter.service.Identifiers;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.alerts.Alert;
import dev.arbiter.service.alerts.AlertEvent;
import dev.arbiter.service.alerts.AlertSender;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The durable decision log. A decision is acknowledged (its {@link #append} future completes) only once it is
 * durable: committed in PostgreSQL, or — while PostgreSQL is unreachable — fsynced in the local spool. One writer
 * thread drains a queue and commits whatever has accumulated (up to {@code batch-size}) in one transaction, so
 * concurrent decisions share a commit (group commit). While anything is spooled, new decisions are spooled too and
 * the writer moves the spool into PostgreSQL chunk by chunk as soon as it answers again (idempotent: ON CONFLICT
 * DO NOTHING), then empties it; a spool left by a crash is drained at start. A row PostgreSQL refuses for its data
 * (SQLSTATE classes 22 and 23, e.g. a NUL in a text column) is not an unreachable database: it goes to the dead
 * letters ({@code decision.decision_dead_letter}, with a metric and an alert) and the rest of the batch, and of the
 * spool, goes on. A spool that does not drain within {@code spool-alert-after} raises an alert. The contract is in
 * the README.
 */
@ApplicationScoped
public class DecisionLog {

    private static final Logger LOG = Logger.getLogger(DecisionLog.class);

    static final String INSERT = "INSERT INTO decision.decision (decision_id, series_id, ts_micros, variant, direction, size, acted,"
            + " degraded, prediction_id, has_prediction, ensemble_probability, leaning, parameter_set_version, rule_set_version,"
            + " decided_ts_micros, gates, blocked, decision, shadow_id, shadow_direction, shadow_size)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT DO NOTHING";

    static final String DEAD_LETTER = "INSERT INTO decision.decision_dead_letter (decision_id, series_id, ts_micros, sql_state,"
            + " error, dead_ts_micros, decision) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    /** An insert's answer for a row that went to the dead letters instead. */
    private static final int DEAD_LETTERED = -1;

    private record Entry(Decision decision, byte[] bytes, CompletableFuture<Void> done) {}

    private record SeriesTs(String seriesId, long tsMicros) {}

    private final DataSource db;
    private final DecisionLogConfig config;
    private final MeterRegistry metrics;
    private final BlockingQueue<Entry> queue;
    /** Decisions acknowledged or waiting, not yet in PostgreSQL: queued, or spooled while it is unreachable. */
    private final Map<String, Decision> pendingById = new ConcurrentHashMap<>();
    private final Map<SeriesTs, Decision> pendingBySeries = new ConcurrentHashMap<>();
    private final AtomicLong spooledCount = new AtomicLong();
    private final AlertSender alerts;
    private DistributionSummary batchSizes;
    private Counter deadLetters;
    /** When the spool last went from empty to holding decisions (System.nanoTime()), or 0 while it is empty. */
    private volatile long spoolingSinceNanos;
    private boolean spoolAlerted;
    private DecisionSpool spool;
    private long drainOffset;
    private volatile boolean databaseDown;
    private long nextAttemptNanos;
    private volatile boolean closing;
    private Thread writer;

    public DecisionLog(DataSource db, DecisionLogConfig config, MeterRegistry metrics, AlertSender alerts) {
        this.db = db;
        this.config = config;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.alerts = alerts;
    }

    @PostConstruct
    void open() {
        try {
            spool = new DecisionSpool(Path.of(config.spoolDir()));
            for (DecisionSpool.Record r : spool.read(0, Integer.MAX_VALUE)) {
                index(Decision.parseFrom(r.bytes()));
                spooledCount.incrementAndGet();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the decision spool in " + Path.of(config.spoolDir()).toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
        if (!spool.isEmpty()) {
            LOG.infof("decision spool holds %d decisions from before; they are moved into PostgreSQL now", spooledCount.get());
            spoolingSinceNanos = System.nanoTime();
        }
        batchSizes = DistributionSummary.builder("arbiter.decision.log.batch.size")
                .description("decisions committed (or spooled) together").register(metrics);
        metrics.gauge("arbiter.decision.log.spooled", spooledCount);
        metrics.gauge("arbiter.decision.log.queued", queue, BlockingQueue::size);
        Gauge.builder("arbiter.decision.log.spooling", this, log -> log.spooling() ? 1 : 0)
                .description("1 while decisions go to the local spool instead of PostgreSQL").register(metrics);
        Gauge.builder("arbiter.decision.log.spool.age", this, log -> log.spoolAge().toMillis() / 1000.0)
                .baseUnit("seconds").description("how long the spool has held decisions without draining").register(metrics);
        deadLetters = Counter.builder("arbiter.decision.log.dead.letters")
                .description("decisions PostgreSQL refused for their data, kept in decision.decision_dead_letter").register(metrics);
        writer = new Thread(this::run, "decision-log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Creates the bean at start, so a spool left by a crash is drained without waiting for traffic. */
    void onStart(@Observes StartupEvent event) {
        LOG.debugf("decision log open, spool in %s", config.spoolDir());
    }

    void onStop(@Observes ShutdownEvent event) {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
            spool.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warnf("closing the decision spool: %s", e.getMessage());
        }
    }

    /**
     * Logs one decision; the future completes once it is durable (committed in PostgreSQL, or fsynced in the local
     * spool when PostgreSQL is down) and fails if neither is possible, or with ALREADY_EXISTS when another decision
     * of the same observation was logged first. Blocks the caller while the queue is full (back-pressure).
     */
    public CompletableFuture<Void> append(Decision decision) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            UUID.fromString(decision.getDecisionId());
        } catch (IllegalArgumentException e) {
            done.completeExceptionally(new IllegalArgumentException("decision_id \"" + decision.getDecisionId() + "\" is not a UUID"));
            return done;
        }
        if (closing) {
            done.completeExceptionally(new RequestRefused(Status.Code.UNAVAILABLE, "decision",
                    "the decision log is shutting down; retry on another replica"));
            return done;
        }
        index(decision);
        try {
            queue.put(new Entry(decision, decision.toByteArray(), done));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unindex(decision);
            done.completeExceptionally(e);
        }
        return done;
    }

    /** The already-logged (or acknowledged, still spooled) decision for (seriesId, tsMicros), if any. */
    public Optional<Decision> findBySeriesAndTs(String seriesId, long tsMicros) {
        Decision pending = pendingBySeries.get(new SeriesTs(seriesId, tsMicros));
        if (pending != null) {
            return Optional.of(pending);
        }
        if (databaseDown) {
            return Optional.empty(); // what is not in the spool's index cannot be checked now (see the README)
        }
        try {
            return select("SELECT decision FROM decision.decision WHERE series_id = ? AND ts_micros = ?", ps -> {
                ps.setString(1, seriesId);
                ps.setLong(2, tsMicros);
            });
        } catch (SQLException e) {
            LOG.debugf("duplicate check skipped, PostgreSQL did not answer: %s", e.getMessage());
            return Optional.empty();
        }
    }

    /** The decision with this id (a UUID), if logged. UNAVAILABLE when PostgreSQL does not answer. */
    public Optional<Decision> find(String decisionId) {
        Decision pending = pendingById.get(decisionId);
        if (pending != null) {
            return Optional.of(pending);
        }
        UUID id = UUID.fromString(decisionId);
        try {
            return select("SELECT decision FROM decision.decision WHERE decision_id = ?", ps -> ps.setObject(1, id));
        } catch (SQLException e) {
            throw new RequestRefused(Status.Code.UNAVAILABLE, "decision_id",
                    "the decision log's database is unreachable (" + e.getMessage() + "); retry in a few seconds");
        }
    }

    /** True while decisions go to the local spool because PostgreSQL did not answer. */
    public boolean spooling() {
        return spooledCount.get() > 0 || databaseDown;
    }

    /** True while the writer thread runs. */
    public boolean writing() {
        return writer != null && writer.isAlive();
    }

    /** Decisions in the spool, waiting for PostgreSQL. */
    public long spooled() {
        return spooledCount.get();
    }

    /** How long decisions have been spooled without the spool draining; zero while they go straight to PostgreSQL. */
    public Duration spoolAge() {
        long since = spoolingSinceNanos;
        return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** True once the spool has not drained for {@code spool-unready-after} (when that is not 0). */
    public boolean spoolStuck() {
        Duration limit = config.spoolUnreadyAfter();
        return !limit.isZero() && spoolAge().compareTo(limit) >= 0;
    }

    /** Decisions sent to the dead letters since start. */
    public long deadLettered() {
        return (long) deadLetters.count();
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private Optional<Decision> select(String sql, Binder binder) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(Decision.parseFrom(rs.getBytes(1)));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("a logged decision does not parse", e);
            }
        }
    }

    private void index(Decision d) {
        if (pendingById.size() < config.maxIndexedSpooled() + config.queueCapacity()) {
            pendingById.put(d.getDecisionId(), d);
            pendingBySeries.put(new SeriesTs(d.getSeriesId(), d.getTsMicros()), d);
        }
    }

    private void unindex(Decision d) {
        pendingById.remove(d.getDecisionId());
        pendingBySeries.remove(new SeriesTs(d.getSeriesId(), d.getTsMicros()), d);
    }

    // ---------------------------------------------------------------- the writer thread

    private void run() {
        List<Entry> batch = new ArrayList<>(config.batchSize());
        while (true) {
            Entry first;
            try {
                first = queue.poll(config.retryInterval().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (closing) {
                    break;
                }
                continue;
            }
            if (first == null) {
                if (!spool.isEmpty()) {
                    drainSome();
                }
                checkSpoolAge();
                if (closing && queue.isEmpty()) {
                    break;
                }
                continue;
            }
            batch.clear();
            batch.add(first);
            queue.drainTo(batch, config.batchSize() - 1);
            batchSizes.record(batch.size());
            checkSpoolAge();
            try {
                write(batch);
            } catch (RuntimeException | Error e) {
                // The writer never dies: whatever went wrong, these decisions are failed and the next ones go on.
                LOG.errorf(e, "decision log writer: unexpected failure; %d decisions not acknowledged", batch.size());
                for (Entry en : batch) {
                    unindex(en.decision());
                    en.done().completeExceptionally(e);
                }
            }
        }
        LOG.infof("decision log writer stopped (%d decisions still spooled)", spooledCount.get());
    }

    private void write(List<Entry> batch) {
        List<Entry> unsettled = batch;
        if (spool.isEmpty() || drainSome()) {
            if (!databaseDown || System.nanoTime() >= nextAttemptNanos) {
                unsettled = commit(batch);
                if (unsettled.isEmpty()) {
                    return;
                }
            }
        }
        try {
            spool.append(unsettled.stream().map(Entry::bytes).toList());
            if (spooledCount.getAndAdd(unsettled.size()) == 0 && spoolingSinceNanos == 0) {
                spoolingSinceNanos = System.nanoTime();
            }
            for (Entry en : unsettled) {
                en.done().complete(null);
            }
        } catch (IOException e) {
            LOG.errorf("decision spool write failed (%s) while PostgreSQL is unreachable: %d decisions NOT acknowledged",
                    e.getMessage(), unsettled.size());
            RequestRefused refused = new RequestRefused(Status.Code.UNAVAILABLE, "decision",
                    "the decision could not be logged: PostgreSQL is unreachable and the local spool failed (" + e.getMessage() + "); retry");
            for (Entry en : unsettled) {
                unindex(en.decision());
                en.done().completeExceptionally(refused);
            }
        }
    }

    /**
     * Commits the batch in one transaction and settles every entry; answers the entries left for the spool (all of
     * them when PostgreSQL did not answer). When PostgreSQL refuses the batch for its data, each row is tried in a
     * transaction of its own so that only the refused rows go to the dead letters.
     */
    private List<Entry> commit(List<Entry> batch) {
        try {
            int[] counts;
            try {
                counts = insert(batch.stream().map(Entry::bytes).toList(), batch.stream().map(Entry::decision).toList());
            } catch (SQLException e) {
                if (!isDataError(e)) {
                    throw e;
                }
                for (int i = 0; i < batch.size(); i++) {
                    Entry en = batch.get(i);
                    try {
                        settle(en, insertOrDeadLetter(en.bytes(), en.decision()));
                    } catch (SQLException | RuntimeException | AssertionError down) {
                        databaseFailed(asSqlException(down));
                        return batch.subList(i, batch.size());
                    }
                }
                databaseUp();
                return List.of();
            }
            databaseUp();
            for (int i = 0; i < batch.size(); i++) {
                settle(batch.get(i), counts[i]);
            }
            return List.of();
        } catch (SQLException | RuntimeException | AssertionError e) {
            // a driver or pool failing on a broken connection (pgjdbc asserts when run with -ea) is unreachable too
            databaseFailed(asSqlException(e));
            return batch;
        }
    }

    private void settle(Entry en, int count) {
        unindex(en.decision());
        if (count == 0) {
            en.done().completeExceptionally(new RequestRefused(Status.Code.ALREADY_EXISTS, "observation",
                    "observation (series \"" + en.decision().getSeriesId() + "\", ts_micros " + en.decision().getTsMicros()
                            + ") was decided by another request first; send it again to get that decision"));
        } else if (count == DEAD_LETTERED) {
            en.done().completeExceptionally(new RequestRefused(Status.Code.INTERNAL, "decision",
                    "the decision could not be logged: the database refused its data; it is kept for the operators"
                            + " (decision_id " + en.decision().getDecisionId() + "); this is a server fault, not a bad request"));
        } else {
            en.done().complete(null);
        }
    }

    /**
     * One row in a transaction of its own; a row PostgreSQL refuses for its data goes to the dead letters and answers
     * {@link #DEAD_LETTERED}. Throws when PostgreSQL does not answer.
     */
    private int insertOrDeadLetter(byte[] bytes, Decision d) throws SQLException {
        try {
            return insert(List.of(bytes), List.of(d))[0];
        } catch (SQLException e) {
            if (!isDataError(e)) {
                throw e;
            }
            deadLetter(d, bytes, e);
            return DEAD_LETTERED;
        }
    }

    private void deadLetter(Decision d, byte[] bytes, SQLException refusal) throws SQLException {
        String state = sqlState(refusal);
        String series = Identifiers.escaped(d.getSeriesId());
        String error = Identifiers.escaped(String.valueOf(refusal.getMessage()));
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(DEAD_LETTER)) {
            ps.setObject(1, UUID.fromString(d.getDecisionId()));
            ps.setString(2, series);
            ps.setLong(3, d.getTsMicros());
            ps.setString(4, state == null ? "" : state);
            ps.setString(5, error);
            ps.setLong(6, ObservationTimes.nowMicros());
            ps.setBytes(7, bytes);
            ps.executeUpdate();
        }
        deadLetters.increment();
        String text = "Decision log: PostgreSQL refused decision " + d.getDecisionId() + " (series \"" + series + "\", ts_micros "
                + d.getTsMicros() + ") with SQLSTATE " + state + ": " + error
                + ". It is kept in decision.decision_dead_letter; the rest of the log goes on.";
        LOG.error(text);
        alerts.send(new Alert(AlertEvent.DECISION_LOG, "dead letter " + d.getDecisionId(), "decision log: a decision was refused", text));
    }

    /** Alerts once per spooling episode when the spool has not drained for {@code spool-alert-after}. */
    private void checkSpoolAge() {
        Duration age = spoolAge();
        if (age.isZero()) {
            spoolAlerted = false;
            return;
        }
        if (!spoolAlerted && age.compareTo(config.spoolAlertAfter()) >= 0) {
            spoolAlerted = true;
            String text = "Decision log: " + spooledCount.get() + " decisions have waited in the local spool for "
                    + age.toSeconds() + " s (PostgreSQL " + (databaseDown ? "does not answer" : "answers, but the spool does not drain")
                    + "); outcomes and performance do not see them until it drains.";
            LOG.error(text);
            alerts.send(new Alert(AlertEvent.DECISION_LOG, "spool", "decision log: the spool does not drain", text));
        }
    }

    /** PostgreSQL refused the data (SQLSTATE class 22, data exception, or 23, integrity constraint violation). */
    static boolean isDataError(SQLException e) {
        String state = sqlState(e);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** The SQLSTATE of the refusal (pgjdbc gives a batch's own state, and its cause as the next exception). */
    private static String sqlState(SQLException e) {
        for (SQLException n = e; n != null; n = n.getNextException()) {
            if (n.getSQLState() != null) {
                return n.getSQLState();
            }
        }
        return null;
    }

    private static SQLException asSqlException(Throwable e) {
        return e instanceof SQLException s ? s : new SQLException(e.toString(), "08006", e);
    }

    /**
     * Moves one chunk of the spool into PostgreSQL; answers true when the spool is empty afterwards. Tries
     * PostgreSQL at most once per retry interval while it is down.
     */
    private boolean drainSome() {
        if (databaseDown && System.nanoTime() < nextAttemptNanos) {
            return false;
        }
        try {
            List<DecisionSpool.Record> records = spool.read(drainOffset, config.drainBatchSize());
            List<Decision> decisions = new ArrayList<>(records.size());
            List<byte[]> bytes = new ArrayList<>(records.size());
            for (DecisionSpool.Record r : records) {
                bytes.add(r.bytes());
                decisions.add(Decision.parseFrom(r.bytes()));
            }
            if (records.isEmpty() && drainOffset < spool.size()) {
                LOG.errorf("decision spool is unreadable from byte %d of %d; the rest is skipped", drainOffset, spool.size());
                drainOffset = spool.size();
            }
            if (!records.isEmpty()) {
                int[] counts;
                try {
                    counts = insert(bytes, decisions);
                } catch (SQLException e) {
                    if (!isDataError(e)) {
                        throw e;
                    }
                    // a refused row must not hold up the spool: rows one by one, the refused ones to the dead letters
                    // (a retry after PostgreSQL fails midway inserts nothing twice: both inserts are idempotent)
                    counts = new int[records.size()];
                    for (int i = 0; i < counts.length; i++) {
                        counts[i] = insertOrDeadLetter(bytes.get(i), decisions.get(i));
                    }
                }
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 0 && !alreadyLogged(decisions.get(i).getDecisionId())) {
                        LOG.warnf("spooled decision %s (series \"%s\", ts_micros %d) was dropped: another decision of the same observation was logged first",
                                decisions.get(i).getDecisionId(), decisions.get(i).getSeriesId(), decisions.get(i).getTsMicros());
                    }
                }
                drainOffset = records.get(records.size() - 1).next();
                spooledCount.addAndGet(-records.size());
                decisions.forEach(this::unindex);
            }
            databaseUp();
            if (drainOffset >= spool.size()) {
                spool.truncate();
                drainOffset = 0;
                spooledCount.set(0);
                spoolingSinceNanos = 0;
                LOG.info("decision spool drained into PostgreSQL and emptied");
                return true;
            }
            return false;
        } catch (SQLException e) {
            databaseFailed(e);
            return false;
        } catch (RuntimeException | AssertionError e) {
            databaseFailed(new SQLException(e.toString(), "08006", e));
            return false;
        } catch (IOException e) {
            LOG.errorf("reading the decision spool failed: %s", e.getMessage());
            return false;
        }
    }

    private boolean alreadyLogged(String decisionId) {
        try {
            return select("SELECT decision FROM decision.decision WHERE decision_id = ?", ps -> ps.setObject(1, UUID.fromString(decisionId))).isPresent();
        } catch (SQLException e) {
            return true;
        }
    }

    private void databaseUp() {
        if (databaseDown) {
            LOG.info("PostgreSQL answers again: decisions are committed there");
        }
        databaseDown = false;
    }

    private void databaseFailed(SQLException e) {
        if (!databaseDown) {
            LOG.warnf("PostgreSQL did not take the decision log (%s: %s); decisions go to the local spool %s until it answers",
                    e.getSQLState(), e.getMessage(), Path.of(config.spoolDir()).toAbsolutePath());
        }
        databaseDown = true;
        nextAttemptNanos = System.nanoTime() + config.retryInterval().toNanos();
    }

    /** One transaction: every row inserted, or none. Answers each row's update count (0 = already there). */
    private int[] insert(List<byte[]> bytes, List<Decision> decisions) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (int i = 0; i < decisions.size(); i++) {
                    bind(c, ps, decisions.get(i), bytes.get(i));
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                c.commit();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == Statement.SUCCESS_NO_INFO) {
                        counts[i] = 1;
                    }
                }
                return counts;
            } catch (SQLException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the pool discards it
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // as above
                }
            }
        }
    }

    private static void bind(Connection c, PreparedStatement ps, Decision d, byte[] bytes) throws SQLException {
        boolean hasPrediction = !d.getPredictionId().isEmpty();
        int direction = direction(d.getDirection());
        List<String> gates = new ArrayList<>(d.getGatesCount());
        List<String> blocked = new ArrayList<>();
        for (GateResult g : d.getGatesList()) {
            gates.add(g.getName());
            if (!g.getPassed()) {
                blocked.add(g.getName());
            }
        }
        String variant = d.getVersions().getVariantName().isEmpty() ? LivePolicy.LIVE : d.getVersions().getVariantName();
        double p = d.getEnsembleProbability();
        ps.setObject(1, UUID.fromString(d.getDecisionId()));
        ps.setString(2, d.getSeriesId());
        ps.setLong(3, d.getTsMicros());
        ps.setString(4, variant);
        ps.setShort(5, (short) direction);
        ps.setDouble(6, d.getSize());
        ps.setBoolean(7, direction != 0);
        ps.setBoolean(8, d.getDegraded());
        ps.setString(9, d.getPredictionId());
        ps.setBoolean(10, hasPrediction);
        ps.setDouble(11, p);
        ps.setShort(12, (short) (hasPrediction ? (p > 0.5 ? 1 : p < 0.5 ? -1 : 0) : 0));
        ps.setInt(13, d.getVersions().getParameterSetVersion());
        ps.setInt(14, d.getVersions().getRuleSetVersion());
        ps.setLong(15, d.getDecidedTsMicros());
        ps.setArray(16, c.createArrayOf("text", gates.toArray()));
        ps.setArray(17, c.createArrayOf("text", blocked.toArray()));
        ps.setBytes(18, bytes);
        if (d.hasShadow()) {
            ps.setString(19, d.getShadow().getShadowId());
            ps.setShort(20, (short) direction(d.getShadow().getDirection()));
            ps.setDouble(21, d.getShadow().getSize());
        } else {
            ps.setNull(19, Types.VARCHAR);
            ps.setNull(20, Types.SMALLINT);
            ps.setNull(21, Types.DOUBLE);
        }
    }

    /** +1 LONG, -1 SHORT, 0 otherwise. */
    static int direction(Direction d) {
        return d == Direction.DIRECTION_LONG ? 1 : d == Direction.DIRECTION_SHORT ? -1 : 0;
    }
}
