package dev.arbiter.decision.risk;

import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.proto.v1.RiskState;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.redis.datasource.keys.KeyScanCursor;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Risk state shared by every replica, in Redis: the portfolio's open exposure, cumulative pnl (equity) and its
 * peak, and per series the open position, the consecutive losses and the cooldown. Every change is one Lua script,
 * so concurrent decisions and outcomes on any replica never lose an update. Amounts are stored as integers in units
 * of 1e-9 of capital, so sums are exact whatever the order of the updates.
 *
 * <p>Keys: {@code <prefix>risk:{portfolio}} (hash: exposure, equity, peak) and
 * {@code <prefix>risk:{portfolio}:series:<id>} (hash: position, losses, cooldown). The hash tag {@code {portfolio}}
 * puts them all in one Redis Cluster slot, so each two-key script also runs on a cluster. Versions before it used
 * {@code risk:portfolio} and {@code risk:series:<id>}; {@link #migrateLegacyKeys} renames those at start.
 */
@ApplicationScoped
public class RiskStateStore {

    /** Units of capital per stored integer unit. */
    static final double SCALE = 1e9;

    /**
     * The field of the portfolio hash that says its state is known: written when the state is first set (at zero, or
     * rebuilt from the decision log, {@link RiskStateRebuild}) and never removed. A Redis that lost its data (restarted
     * without persistence, the key evicted) has no such field: every script below then answers "unknown" and changes
     * nothing, so no decision is sized against an exposure that was forgotten.
     */
    static final String KNOWN = "known";

    private static final String READ = """
            if redis.call('HEXISTS', KEYS[1], 'known') == 0 then return {-2} end
            local p = redis.call('HMGET', KEYS[1], 'exposure', 'equity', 'peak')
            local s = redis.call('HMGET', KEYS[2], 'position', 'cooldown', 'losses')
            return {p[1] or '0', p[2] or '0', p[3] or '0', s[1] or '0', s[2] or '0', s[3] or '0'}
            """;

    /** ARGV: gross units to add to exposure, signed units to add to the position. Returns 1 when a cooldown observation was consumed. */
    private static final String ON_DECISION = """
            if redis.call('HEXISTS', KEYS[1], 'known') == 0 then return 0 end
            if ARGV[1] ~= '0' then redis.call('HINCRBY', KEYS[1], 'exposure', ARGV[1]) end
            if ARGV[2] ~= '0' then redis.call('HINCRBY', KEYS[2], 'position', ARGV[2]) end
            local c = tonumber(redis.call('HGET', KEYS[2], 'cooldown') or '0')
            if c > 0 then
              redis.call('HSET', KEYS[2], 'cooldown', c - 1)
              return 1
            end
            return 0
            """;

    /**
     * ARGV: gross units to add to exposure, signed units to add to the position, the most total exposure and the most
     * series exposure on the action's side the caps allow (units, rounding tolerance included). Adds nothing and
     * answers {-1, the state as READ answers it} when the action no longer fits under a cap (another decision took
     * the room since the state was read); else it is ON_DECISION.
     */
    private static final String COMMIT = """
            if redis.call('HEXISTS', KEYS[1], 'known') == 0 then return {-2} end
            local gross = tonumber(ARGV[1])
            if gross > 0 then
              local signed = tonumber(ARGV[2])
              local side = 1
              if signed < 0 then side = -1 end
              local e = tonumber(redis.call('HGET', KEYS[1], 'exposure') or '0')
              local pos = tonumber(redis.call('HGET', KEYS[2], 'position') or '0')
              if e + gross > tonumber(ARGV[3]) or side * pos + gross > tonumber(ARGV[4]) then
                local p = redis.call('HMGET', KEYS[1], 'exposure', 'equity', 'peak')
                local s = redis.call('HMGET', KEYS[2], 'position', 'cooldown', 'losses')
                return {-1, p[1] or '0', p[2] or '0', p[3] or '0', s[1] or '0', s[2] or '0', s[3] or '0'}
              end
              redis.call('HINCRBY', KEYS[1], 'exposure', ARGV[1])
              redis.call('HINCRBY', KEYS[2], 'position', ARGV[2])
            end
            local c = tonumber(redis.call('HGET', KEYS[2], 'cooldown') or '0')
            if c > 0 then
              redis.call('HSET', KEYS[2], 'cooldown', c - 1)
              return {1}
            end
            return {0}
            """;

    /**
     * Units a committed action may pass a cap by: the policy sizes an action as the cap minus the exposure it read, in
     * doubles, and each amount is rounded to whole units on its own.
     */
    static final long CAP_TOLERANCE_UNITS = 4;

    /** ARGV: gross units to remove, signed units to remove, cooldown observations to give back. */
    private static final String UNDO = """
            if redis.call('HEXISTS', KEYS[1], 'known') == 0 then return 0 end
            if ARGV[1] ~= '0' then redis.call('HINCRBY', KEYS[1], 'exposure', '-' .. ARGV[1]) end
            if ARGV[2] ~= '0' then redis.call('HINCRBY', KEYS[2], 'position', ARGV[2]) end
            if ARGV[3] ~= '0' then redis.call('HINCRBY', KEYS[2], 'cooldown', ARGV[3]) end
            return 0
            """;

    /**
     * ARGV: gross units to remove, signed units to remove (already negated), pnl units, the sign of the pnl (-1, 0,
     * 1), risk.cooldown_losses, risk.cooldown_observations. The losses and cooldown rules are RiskManager.lossesAfter
     * and RiskManager.cooldownAfter, written again in Lua (RiskStateStoreTest checks they agree). Answers -2 and changes
     * nothing while the state is unknown.
     */
    private static final String SETTLE = """
            if redis.call('HEXISTS', KEYS[1], 'known') == 0 then return -2 end
            if ARGV[1] ~= '0' then
              local e = redis.call('HINCRBY', KEYS[1], 'exposure', '-' .. ARGV[1])
              if e < 0 then redis.call('HSET', KEYS[1], 'exposure', '0') end
            end
            if ARGV[2] ~= '0' then redis.call('HINCRBY', KEYS[2], 'position', ARGV[2]) end
            local equity = redis.call('HINCRBY', KEYS[1], 'equity', ARGV[3])
            local peak = tonumber(redis.call('HGET', KEYS[1], 'peak') or '0')
            if equity > peak then redis.call('HSET', KEYS[1], 'peak', string.format('%.0f', equity)) end
            local sign = tonumber(ARGV[4])
            local trigger = tonumber(ARGV[5])
            local observations = tonumber(ARGV[6])
            local losses = tonumber(redis.call('HGET', KEYS[2], 'losses') or '0')
            local cooldown = tonumber(redis.call('HGET', KEYS[2], 'cooldown') or '0')
            if sign < 0 and trigger > 0 and losses + 1 >= trigger and observations > cooldown then
              cooldown = observations
            end
            local after = losses
            if sign < 0 then after = losses + 1 elseif sign > 0 then after = 0 end
            if trigger > 0 and after >= trigger then after = 0 end
            redis.call('HSET', KEYS[2], 'losses', string.format('%d', after), 'cooldown', string.format('%d', cooldown))
            return 0
            """;

    private final RedisDataSource redis;
    private final ReactiveRedisDataSource reactive;
    private static final Logger LOG = Logger.getLogger(RiskStateStore.class);

    private final String prefix;
    private final String portfolioKey;
    private final String seriesPrefix;

    public RiskStateStore(RedisDataSource redis, ReactiveRedisDataSource reactive, DecisionConfig config) {
        this.redis = redis;
        this.reactive = reactive;
        this.prefix = config.redisPrefix();
        this.portfolioKey = prefix + "risk:{portfolio}";
        this.seriesPrefix = prefix + "risk:{portfolio}:series:";
    }

    /**
     * Renames the keys of versions before the cluster hash tag to their names now, once, at start (RENAMENX: a key
     * already renamed by another replica, or already written under its new name, is left alone). A replica of the
     * older version still running during a rolling upgrade writes its old keys until it stops; the next start of a
     * replica folds in what is left only where the new key does not exist yet, so roll this change out with the
     * decision-service replicas scaled to one, or at a quiet time.
     *
     * @return how many keys were renamed
     */
    public int migrateLegacyKeys() {
        int renamed = 0;
        if (renameIfPresent(prefix + "risk:portfolio", portfolioKey)) {
            renamed++;
            adoptIfPresent(); // an earlier version's state is the state
        }
        String legacySeries = prefix + "risk:series:";
        KeyScanCursor<String> cursor = redis.key().scan(new KeyScanArgs().match(escapeGlob(legacySeries) + "*").count(1000));
        while (cursor.hasNext()) {
            for (String key : cursor.next()) {
                if (renameIfPresent(key, seriesPrefix + key.substring(legacySeries.length()))) {
                    renamed++;
                }
            }
        }
        return renamed;
    }

    void onStart(@Observes StartupEvent ignored) {
        try {
            int renamed = migrateLegacyKeys();
            if (renamed > 0) {
                LOG.infof("risk state: %d key(s) renamed to the cluster-safe names (hash tag {portfolio})", renamed);
            }
        } catch (RuntimeException e) {
            LOG.warnf("risk state: the keys of an earlier version could not be renamed (%s); its open exposure is not "
                    + "counted until they are (the next start tries again)", e.getMessage());
        }
    }

    private boolean renameIfPresent(String from, String to) {
        try {
            return redis.key().renamenx(from, to);
        } catch (RuntimeException e) {
            return false; // gone: renamed by another replica meanwhile, or never there
        }
    }

    private static String escapeGlob(String s) {
        return s.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    /** Exposure, drawdown and this series' open position and cooldown, as one consistent read. */
    public RiskState read(String seriesId) {
        return toState(redis.execute("EVAL", READ, "2", portfolioKey, seriesKey(seriesId)));
    }

    /** {@link #read} without blocking, for the decide path. */
    public CompletableFuture<RiskState> readAsync(String seriesId) {
        return reactive.execute("EVAL", READ, "2", portfolioKey, seriesKey(seriesId))
                .map(RiskStateStore::toState)
                .subscribeAsCompletionStage();
    }

    /**
     * Records an action: adds |size| to total exposure and direction × size to the series position, and consumes
     * one cooldown observation of the series (every decision, acted or not, counts the cooldown down: call it with
     * size 0 for a FLAT decision). Atomic.
     */
    public void onDecision(String seriesId, int direction, double size, PolicyParameters p) {
        recordDecision(seriesId, direction, size);
    }

    /**
     * {@link #onDecision}, answering whether a cooldown observation was consumed, so that {@link #undo} can give it
     * back if the decision cannot be logged. It does not check the exposure caps: the decide path records an action
     * with {@link #commit}, and this for a decision without one.
     */
    public boolean recordDecision(String seriesId, int direction, double size) {
        long gross = units(Math.abs(size));
        long signed = direction == 0 ? 0 : Long.signum(direction) * gross;
        Response r = redis.execute("EVAL", ON_DECISION, "2", portfolioKey, seriesKey(seriesId),
                Long.toString(gross), Long.toString(signed));
        return r.toInteger() == 1;
    }

    /**
     * What {@link #commit} answered: the action was recorded (and whether a cooldown observation was consumed), or
     * it no longer fits under the exposure caps and nothing changed; {@code current} is then the state to decide on
     * again.
     */
    public record Commit(boolean committed, boolean cooldownConsumed, RiskState current) {}

    /**
     * Records a decision as {@link #recordDecision} does, but only if its action still fits under
     * risk.max_total_exposure and risk.max_series_exposure as the state is now, checked and applied in one script: the
     * policy sized the action on a state read before it decided, and concurrent decisions on any replica may have
     * taken that room since. A FLAT decision (size 0) always commits.
     */
    public Commit commit(String seriesId, int direction, double size, PolicyParameters p) {
        long gross = units(Math.abs(size));
        long signed = direction == 0 ? 0 : Long.signum(direction) * gross;
        Response r = redis.execute("EVAL", COMMIT, "2", portfolioKey, seriesKey(seriesId),
                Long.toString(gross), Long.toString(signed),
                Long.toString(units(p.get(PolicyParameter.RISK_MAX_TOTAL_EXPOSURE)) + CAP_TOLERANCE_UNITS),
                Long.toString(units(p.get(PolicyParameter.RISK_MAX_SERIES_EXPOSURE)) + CAP_TOLERANCE_UNITS));
        long answer = r.get(0).toLong();
        if (answer == UNKNOWN) {
            throw new RiskStateUnknown();
        }
        if (answer < 0) {
            return new Commit(false, false, toState(r, 1));
        }
        return new Commit(true, answer == 1, null);
    }

    /** Reverses {@link #recordDecision} for a decision that was never acknowledged. Atomic. */
    public void undo(String seriesId, int direction, double size, boolean cooldownConsumed) {
        long gross = units(Math.abs(size));
        long signed = direction == 0 ? 0 : Long.signum(direction) * gross;
        redis.execute("EVAL", UNDO, "2", portfolioKey, seriesKey(seriesId),
                Long.toString(gross), Long.toString(-signed), cooldownConsumed ? "1" : "0");
    }

    /**
     * Settles an action's outcome: removes its exposure and position, adds pnl to equity (peak and drawdown
     * follow), updates the consecutive losses and starts a cooldown per RiskManager.lossesAfter / cooldownAfter.
     * Atomic. Called once per joined acted decision.
     */
    public void settle(String seriesId, int direction, double size, double pnl, PolicyParameters p) {
        long gross = units(Math.abs(size));
        long signed = direction == 0 ? 0 : Long.signum(direction) * gross;
        Response r = redis.execute("EVAL", SETTLE, "2", portfolioKey, seriesKey(seriesId),
                Long.toString(gross), Long.toString(-signed), Long.toString(units(pnl)),
                Integer.toString(pnl < 0 ? -1 : pnl > 0 ? 1 : 0),
                Long.toString((long) p.get(PolicyParameter.RISK_COOLDOWN_LOSSES)),
                Long.toString((long) p.get(PolicyParameter.RISK_COOLDOWN_OBSERVATIONS)));
        if (r.toLong() == UNKNOWN) {
            throw new RiskStateUnknown();
        }
    }

    /** Whether Redis holds a known risk state (see {@link #KNOWN}). */
    public boolean known() {
        Response r = redis.execute("HEXISTS", portfolioKey, KNOWN);
        return r != null && r.toLong() == 1;
    }

    /**
     * Marks a portfolio state written by a version before {@link #KNOWN} existed as known, once: it is the live state,
     * not a loss. Answers whether it did (false: no portfolio state at all, or it is known already).
     */
    public boolean adoptIfPresent() {
        return redis.execute("EVAL", ADOPT, "1", portfolioKey, "adopted").toLong() == 1;
    }

    private static final String ADOPT = """
            if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HEXISTS', KEYS[1], 'known') == 0 then
              redis.call('HSET', KEYS[1], 'known', ARGV[1])
              return 1
            end
            return 0
            """;

    /** A whole risk state in stored units, as {@link RiskStateRebuild} computes it from the decision log. */
    public record Snapshot(long exposure, long equity, long peak, Map<String, SeriesState> series) {}

    /** One series' open position (signed units), consecutive losses and cooldown observations left. */
    public record SeriesState(long position, long losses, long cooldown) {}

    /**
     * Writes a whole state and marks it known with {@code origin}, in one script, only if the state is still unknown
     * (another replica may have installed it meanwhile). Answers whether it was installed.
     */
    public boolean install(Snapshot s, String origin) {
        List<Map.Entry<String, SeriesState>> series = new ArrayList<>(s.series().entrySet());
        List<String> args = new ArrayList<>();
        args.add(INSTALL);
        args.add(Integer.toString(1 + series.size()));
        args.add(portfolioKey);
        for (Map.Entry<String, SeriesState> e : series) {
            args.add(seriesKey(e.getKey()));
        }
        args.add(origin);
        args.add(Long.toString(s.exposure()));
        args.add(Long.toString(s.equity()));
        args.add(Long.toString(s.peak()));
        for (Map.Entry<String, SeriesState> e : series) {
            args.add(Long.toString(e.getValue().position()));
            args.add(Long.toString(e.getValue().losses()));
            args.add(Long.toString(e.getValue().cooldown()));
        }
        return redis.execute("EVAL", args.toArray(String[]::new)).toLong() == 1;
    }

    /** KEYS: the portfolio, then each series; ARGV: origin, exposure, equity, peak, then position, losses, cooldown per series. */
    private static final String INSTALL = """
            if redis.call('HEXISTS', KEYS[1], 'known') == 1 then return 0 end
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], 'exposure', ARGV[2], 'equity', ARGV[3], 'peak', ARGV[4], 'known', ARGV[1])
            for i = 2, #KEYS do
              local a = 5 + (i - 2) * 3
              redis.call('DEL', KEYS[i])
              redis.call('HSET', KEYS[i], 'position', ARGV[a], 'losses', ARGV[a + 1], 'cooldown', ARGV[a + 2])
            end
            return 1
            """;

    /** What a script answers while the state is unknown. */
    private static final long UNKNOWN = -2;

    /** Consecutive losing outcomes of the series since its last win or cooldown (for tests and diagnostics). */
    public int consecutiveLosses(String seriesId) {
        Response r = redis.execute("HGET", seriesKey(seriesId), "losses");
        return r == null ? 0 : r.toInteger();
    }

    /** Cumulative pnl of every settled action, fraction of capital. */
    public double equity() {
        Response r = redis.execute("HGET", portfolioKey, "equity");
        return r == null ? 0 : r.toLong() / SCALE;
    }

    private String seriesKey(String seriesId) {
        return seriesPrefix + seriesId;
    }

    static long units(double fraction) {
        if (!Double.isFinite(fraction)) {
            throw new IllegalArgumentException("risk amount is " + fraction + "; only finite amounts can be recorded");
        }
        return Math.round(fraction * SCALE);
    }

    private static RiskState toState(Response r) {
        if (r.size() == 1 && r.get(0).toLong() == UNKNOWN) {
            throw new RiskStateUnknown();
        }
        return toState(r, 0);
    }

    /** The state READ answers, from element {@code at} of {@code r} on. */
    private static RiskState toState(Response r, int at) {
        long exposure = r.get(at).toLong();
        long equity = r.get(at + 1).toLong();
        long peak = Math.max(r.get(at + 2).toLong(), 0);
        return RiskState.newBuilder()
                .setExposure(Math.max(exposure, 0) / SCALE)
                .setDrawdown(Math.max(peak - equity, 0) / SCALE)
                .setSeriesExposure(r.get(at + 3).toLong() / SCALE)
                .setCooldownRemaining(r.get(at + 4).toInteger())
                .build();
    }
}
