package dev.arbiter.decision.risk;

import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.service.ObservationTimes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Keeps the Redis risk state known. Redis here is a cache of the decision log, not its only copy: when it loses its
 * data (a restart without persistence, an evicted key) every risk script answers "unknown" and changes nothing
 * ({@link RiskStateStore#KNOWN}), so decisions are FLAT and degraded, outcomes are refused as UNAVAILABLE (to be sent
 * again), and no cap is checked against an exposure that was forgotten. Each replica checks every
 * {@code arbiter.decision.risk-check-interval}; one at a time (a Redis lock) rebuilds the state from PostgreSQL:
 *
 * <ul>
 *   <li>open exposure and positions: the acted decisions without a settled outcome (none yet, or LATE, which never
 *       settles);</li>
 *   <li>equity and its peak: the pnl of every JOINED acted decision, in the order they were reported;</li>
 *   <li>consecutive losses and cooldowns: those outcomes replayed per series with the live risk.cooldown_* parameters,
 *       a cooldown counted down by the series' decisions since it began;</li>
 * </ul>
 *
 * over the decisions since the state's origin ({@code decision.risk_state_origin}, one row per Redis prefix: the first
 * start at zero, or 0 for a state adopted from an earlier version). The rebuild waits while this replica's spool holds
 * decisions PostgreSQL does not have yet. What it cannot see: decisions another replica still holds in its spool
 * (PostgreSQL and Redis lost at once), and a decision committed to Redis just before the loss whose log write lands
 * after the rebuild read the log (milliseconds); bench/README.md, "Redis restart", measures the whole.
 */
@ApplicationScoped
public class RiskStateRebuild {

    private static final Logger LOG = Logger.getLogger(RiskStateRebuild.class);

    /** What one check found or did. */
    public enum Result { KNOWN, ADOPTED, STARTED_AT_ZERO, REBUILT, ANOTHER_REPLICA_REBUILDS, WAITING }

    private static final Duration LOCK = Duration.ofSeconds(60);

    private final RiskStateStore risk;
    private final RedisDataSource redis;
    private final DataSource db;
    private final DecisionLog log;
    private final LivePolicy policy;
    private final DecisionConfig config;
    private final String prefix;
    private final String lockKey;
    private final Counter rebuilds;
    private final AtomicInteger known = new AtomicInteger(1);
    private ScheduledExecutorService checker;
    private volatile String waitingFor = "";

    public RiskStateRebuild(RiskStateStore risk, RedisDataSource redis, DataSource db, DecisionLog log, LivePolicy policy,
                            DecisionConfig config, MeterRegistry metrics) {
        this.risk = risk;
        this.redis = redis;
        this.db = db;
        this.log = log;
        this.policy = policy;
        this.config = config;
        this.prefix = config.redisPrefix();
        this.lockKey = prefix + "risk:{portfolio}:rebuilding";
        this.rebuilds = Counter.builder("arbiter_risk_state_rebuilds_total")
                .description("Risk states rebuilt from the decision log after Redis lost them").register(metrics);
        metrics.gauge("arbiter_risk_state_known", known);
    }

    /** After the live policy (its parameters) and the legacy-key rename of {@link RiskStateStore}. */
    void onStart(@Observes @Priority(3000) StartupEvent ignored) {
        checkQuietly();
        long every = config.riskCheckInterval().toMillis();
        if (every > 0) {
            checker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "risk-state-check");
                t.setDaemon(true);
                return t;
            });
            checker.scheduleWithFixedDelay(this::checkQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    void onStop(@Observes ShutdownEvent ignored) {
        if (checker != null) {
            checker.shutdownNow();
        }
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            known.set(0);
            report("the risk state could not be checked (" + e.getMessage() + ")");
        }
    }

    private void report(String why) {
        if (!why.equals(waitingFor)) {
            LOG.warn(why + "; decisions stay FLAT and degraded until it is known; trying again every " + config.riskCheckInterval());
            waitingFor = why;
        }
    }

    /** Makes the risk state known if it is not: adopts an earlier version's, starts at zero, or rebuilds it. */
    public synchronized Result check() {
        if (risk.known()) {
            known.set(1);
            waitingFor = "";
            return Result.KNOWN;
        }
        known.set(0);
        if (risk.adoptIfPresent()) {
            try {
                recordOrigin(0);
            } catch (SQLException e) {
                LOG.warnf("the adopted risk state's origin could not be recorded (%s); the next check tries again", e.getMessage());
            }
            LOG.info("risk state: the state an earlier version wrote is adopted as known");
            known.set(1);
            return Result.ADOPTED;
        }
        String token = UUID.randomUUID().toString();
        // expires, so a replica that dies while rebuilding frees it
        if (redis.execute("SET", lockKey, token, "NX", "PX", Long.toString(LOCK.toMillis())) == null) {
            return Result.ANOTHER_REPLICA_REBUILDS;
        }
        try {
            if (log.spooled() > 0) {
                report("the risk state is not known and " + log.spooled() + " decision(s) of this replica are still in its"
                        + " spool, not in PostgreSQL: it is rebuilt once they are");
                return Result.WAITING;
            }
            Rebuilt rebuilt;
            try {
                rebuilt = fromLog();
            } catch (SQLException e) {
                report("the risk state is not known and the decision log it is rebuilt from is unreachable (" + e.getMessage() + ")");
                return Result.WAITING;
            }
            if (!risk.install(rebuilt.state(), rebuilt.fresh() ? "started-at-zero" : "rebuilt-" + ObservationTimes.nowMicros())) {
                known.set(1);
                return Result.KNOWN; // installed meanwhile (by an expired lock's holder)
            }
            known.set(1);
            waitingFor = "";
            if (rebuilt.fresh()) {
                LOG.infof("risk state: a new state at zero for Redis prefix %s", prefix);
                return Result.STARTED_AT_ZERO;
            }
            rebuilds.increment();
            RiskStateStore.Snapshot s = rebuilt.state();
            LOG.warnf("risk state: Redis had lost it; rebuilt from %d decisions of the log: exposure %.6f, equity %.6f, peak %.6f,"
                    + " %d series with a position, losses or cooldown", rebuilt.decisions(), s.exposure() / RiskStateStore.SCALE,
                    s.equity() / RiskStateStore.SCALE, s.peak() / RiskStateStore.SCALE, s.series().size());
            return Result.REBUILT;
        } finally {
            redis.execute("EVAL", "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                    "1", lockKey, token);
        }
    }

    record Rebuilt(RiskStateStore.Snapshot state, boolean fresh, long decisions) {}

    private void recordOrigin(long since) throws SQLException {
        try (Connection c = db.getConnection()) {
            insertOrigin(c, since);
        }
    }

    /** The state of this Redis prefix counts the decisions since {@code since}, unless an origin is recorded already. */
    private void insertOrigin(Connection c, long since) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO decision.risk_state_origin (redis_prefix, since_ts_micros)"
                + " VALUES (?, ?) ON CONFLICT (redis_prefix) DO NOTHING")) {
            ps.setString(1, prefix);
            ps.setLong(2, since);
            ps.executeUpdate();
        }
    }

    /** The state as the decision log has it, read in one snapshot; a prefix without an origin starts at zero now. */
    private Rebuilt fromLog() throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                Long since = null;
                try (PreparedStatement ps = c.prepareStatement("SELECT since_ts_micros FROM decision.risk_state_origin WHERE redis_prefix = ?")) {
                    ps.setString(1, prefix);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            since = rs.getLong(1);
                        }
                    }
                }
                if (since == null) {
                    insertOrigin(c, ObservationTimes.nowMicros());
                    c.commit();
                    return new Rebuilt(new RiskStateStore.Snapshot(0, 0, 0, Map.of()), true, 0);
                }
                Rebuilt rebuilt = replay(c, since, policy.parameters(policy.state().parameterSetVersion()));
                try (PreparedStatement ps = c.prepareStatement("UPDATE decision.risk_state_origin SET rebuilds = rebuilds + 1,"
                        + " last_rebuilt_ts_micros = ? WHERE redis_prefix = ?")) {
                    ps.setLong(1, ObservationTimes.nowMicros());
                    ps.setString(2, prefix);
                    ps.executeUpdate();
                }
                c.commit();
                return rebuilt;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Per series while replaying: position (units), consecutive losses, when its last cooldown began (-1: none). */
    private static final class Series {
        long position;
        long losses;
        long cooldownSince = -1;
    }

    /** The state the risk scripts would hold after every decision and outcome since {@code since}. */
    static Rebuilt replay(Connection c, long since, PolicyParameters p) throws SQLException {
        Map<String, Series> series = new HashMap<>();
        long exposure = 0;
        long decisions = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT series_id, direction, size FROM decision.decision"
                + " WHERE decided_ts_micros >= ? AND direction <> 0 AND (outcome_status IS NULL OR outcome_status = 3)")) {
            ps.setLong(1, since);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long gross = RiskStateStore.units(Math.abs(rs.getDouble(3)));
                    exposure += gross;
                    series.computeIfAbsent(rs.getString(1), k -> new Series()).position += Long.signum(rs.getShort(2)) * gross;
                    decisions++;
                }
            }
        }
        long trigger = (long) p.get(PolicyParameter.RISK_COOLDOWN_LOSSES);
        long observations = (long) p.get(PolicyParameter.RISK_COOLDOWN_OBSERVATIONS);
        long equity = 0;
        long peak = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT series_id, pnl, reported_ts_micros FROM decision.decision"
                + " WHERE decided_ts_micros >= ? AND direction <> 0 AND outcome_status = 1 ORDER BY reported_ts_micros, decision_id")) {
            ps.setLong(1, since);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double pnl = rs.getDouble(2);
                    equity += RiskStateStore.units(pnl);
                    peak = Math.max(peak, equity);
                    // RiskStateStore's SETTLE, per series in report order
                    Series s = series.computeIfAbsent(rs.getString(1), k -> new Series());
                    if (pnl < 0 && trigger > 0 && s.losses + 1 >= trigger && observations > 0) {
                        s.cooldownSince = rs.getLong(3);
                    }
                    long after = pnl < 0 ? s.losses + 1 : pnl > 0 ? 0 : s.losses;
                    s.losses = trigger > 0 && after >= trigger ? 0 : after;
                    decisions++;
                }
            }
        }
        Map<String, RiskStateStore.SeriesState> out = new HashMap<>();
        for (Map.Entry<String, Series> e : series.entrySet()) {
            Series s = e.getValue();
            long cooldown = s.cooldownSince < 0 ? 0 : Math.max(0, observations - decisionsAfter(c, e.getKey(), s.cooldownSince));
            if (s.position != 0 || s.losses != 0 || cooldown != 0) {
                out.put(e.getKey(), new RiskStateStore.SeriesState(s.position, s.losses, cooldown));
            }
        }
        return new Rebuilt(new RiskStateStore.Snapshot(exposure, equity, peak, out), false, decisions);
    }

    /** Decisions of the series made after {@code tsMicros}: each counted a cooldown down by one. */
    private static long decisionsAfter(Connection c, String seriesId, long tsMicros) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM decision.decision WHERE series_id = ? AND decided_ts_micros > ?")) {
            ps.setString(1, seriesId);
            ps.setLong(2, tsMicros);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
