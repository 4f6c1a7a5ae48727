package dev.arbiter.decision.policy;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;
import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.decision.repository.LiveChangeEntity;
import dev.arbiter.decision.repository.RuleSetEntity;
import dev.arbiter.decision.repository.ShadowRunEntity;
import dev.arbiter.engine.rules.RuleCompiler;
import dev.arbiter.engine.rules.RuleDefinition;
import dev.arbiter.engine.rules.RuleRejected;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.ShadowRun;
import dev.arbiter.service.Identifiers;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Shadow runs: a rule set version decided beside the live rules on every decision of the live policy, without
 * acting, its result logged in Decision.shadow (DecisionPath). Starting and stopping are serialised with rule set
 * changes (the "rules" row lock) and announced to every replica like them; at most one run is running (a unique
 * partial index). {@link #get} compares the two rule sets on the run's decisions whose outcome is joined, with
 * common.proto's PerformanceMetrics definitions (PerformanceTracker's): pnl = direction x size x realised return.
 */
@ApplicationScoped
public class ShadowRuns {

    private static final Logger LOG = Logger.getLogger(ShadowRuns.class);
    static final int MAX_SHADOW_ID = 64;

    private final LivePolicy live;
    private final FeatureSchemas schemas;
    private final DataSource db;

    public ShadowRuns(LivePolicy live, FeatureSchemas schemas, DataSource db) {
        this.live = live;
        this.schemas = schemas;
        this.db = db;
    }

    public ShadowRun start(String shadowId, int ruleSetVersion, String author, String reason) {
        checkId(shadowId);
        PolicyVersions.checkWho(author, reason);
        if (ruleSetVersion < 1) {
            throw invalid("rule_set_version", "rule_set_version is " + ruleSetVersion
                    + "; send the rule set version to evaluate in shadow (>= 1; SetRuleSet with stage_only creates one)");
        }
        // the rule set must compile against feature-service's schema, or every shadow result would be an error
        List<RuleDefinition> rules = live.ruleDefinitions(ruleSetVersion);
        if (!rules.isEmpty()) {
            try {
                new RuleCompiler(schemas.current("rule_set_version").names()).compile(rules);
            } catch (RuleRejected e) {
                throw precondition("rule_set_version", "rule set version " + ruleSetVersion + " does not check against the current"
                        + " feature schema (rule_id \"" + e.ruleId() + "\": " + e.getMessage() + "); stage a rule set that does");
            }
        }
        ShadowRunEntity started = QuarkusTransaction.requiringNew().call(() -> {
            LiveChangeEntity.lock(LiveChangeEntity.RULES);
            if (RuleSetEntity.findById(ruleSetVersion) == null) {
                throw notFound("rule_set_version", "rule_set_version " + ruleSetVersion + ": no such rule set version");
            }
            if (ShadowRunEntity.findById(shadowId) != null) {
                throw new RequestRefused(Status.Code.ALREADY_EXISTS, "shadow_id", "shadow_id \"" + Identifiers.escaped(shadowId)
                        + "\" was used by an earlier shadow run; choose a new id (GetShadowRun reads the earlier one)");
            }
            ShadowRunEntity running = ShadowRunEntity.running();
            if (running != null) {
                throw precondition("shadow_id", "shadow run \"" + Identifiers.escaped(running.shadowId) + "\" (rules v"
                        + running.ruleSetVersion + ") is running; one runs at a time: stop it first (StopShadowRun)");
            }
            ShadowRunEntity e = new ShadowRunEntity();
            e.shadowId = shadowId;
            e.ruleSetVersion = ruleSetVersion;
            e.author = author;
            e.reason = reason;
            e.startedTsMicros = ObservationTimes.nowMicros();
            e.persist();
            return e;
        });
        LOG.infof("shadow run %s started by %s on rule set v%d (%s)", shadowId, author, ruleSetVersion, reason);
        live.changed("shadow", ruleSetVersion);
        return get(shadowId);
    }

    public ShadowRun stop(String shadowId, String author, String reason) {
        checkId(shadowId);
        PolicyVersions.checkWho(author, reason);
        boolean stopped = QuarkusTransaction.requiringNew().call(() -> {
            LiveChangeEntity.lock(LiveChangeEntity.RULES);
            ShadowRunEntity e = ShadowRunEntity.findById(shadowId);
            if (e == null) {
                throw unknown(shadowId);
            }
            if (e.stoppedTsMicros != null) {
                return false;
            }
            e.stoppedTsMicros = ObservationTimes.nowMicros();
            e.stopAuthor = author;
            e.stopReason = reason;
            return true;
        });
        if (stopped) {
            LOG.infof("shadow run %s stopped by %s (%s)", shadowId, author, reason);
            live.changed("shadow", 0);
        }
        return get(shadowId);
    }

    public ShadowRun get(String shadowId) {
        checkId(shadowId);
        ShadowRunEntity e = QuarkusTransaction.requiringNew().call(() -> ShadowRunEntity.<ShadowRunEntity>findById(shadowId));
        if (e == null) {
            throw unknown(shadowId);
        }
        ShadowRun.Builder b = ShadowRun.newBuilder()
                .setShadowId(e.shadowId)
                .setRuleSetVersion(e.ruleSetVersion)
                .setAuthor(e.author)
                .setReason(e.reason)
                .setStartedTsMicros(e.startedTsMicros)
                .setRunning(e.stoppedTsMicros == null);
        if (e.stoppedTsMicros != null) {
            b.setStoppedTsMicros(e.stoppedTsMicros).setStopAuthor(e.stopAuthor).setStopReason(e.stopReason);
        }
        try {
            compare(shadowId, b);
        } catch (SQLException ex) {
            throw new RequestRefused(Status.Code.UNAVAILABLE, "shadow_id", "the decision log's database is unreachable ("
                    + ex.getMessage() + "); retry in a few seconds");
        }
        return b.build();
    }

    /** One rule set's side of the comparison, accumulated decision by decision in the order outcomes were realised. */
    private static final class Side {
        long actions;
        long wins;
        long losses;
        double pnl;
        double pnlSquares;
        double turnover;
        double cumulative;
        double peak;
        double maxDrawdown;

        void add(int direction, double size, Double realisedReturn) {
            if (direction != 0) {
                actions++;
                turnover += 2 * size;
            }
            if (realisedReturn == null || direction == 0) {
                return;
            }
            double signed = direction * realisedReturn;
            if (signed > 0) {
                wins++;
            } else if (signed < 0) {
                losses++;
            }
            double p = size * signed;
            pnl += p;
            pnlSquares += p * p;
            cumulative += p;
            peak = Math.max(peak, cumulative);
            maxDrawdown = Math.max(maxDrawdown, peak - cumulative);
        }

        PerformanceMetrics metrics(long decisions, long settled, long judged, long hits) {
            double mean = decisions == 0 ? 0 : pnl / decisions;
            double variance = decisions == 0 ? 0 : pnlSquares / decisions - mean * mean;
            return PerformanceMetrics.newBuilder()
                    .setDecisionCount(decisions)
                    .setActionCount(actions)
                    .setOutcomeCount(settled)
                    .setHitRate(judged == 0 ? 0 : (double) hits / judged)
                    .setPrecision(wins + losses == 0 ? 0 : (double) wins / (wins + losses))
                    .setFalsePositiveActions(losses)
                    .setPnl(pnl)
                    .setSharpe(variance > 1e-300 ? mean / Math.sqrt(variance) : 0)
                    .setMaxDrawdown(maxDrawdown)
                    .setTurnover(turnover)
                    .build();
        }
    }

    private void compare(String shadowId, ShadowRun.Builder b) throws SQLException {
        Side live = new Side();
        Side shadow = new Side();
        long decisions = 0;
        long settled = 0;
        long same = 0;
        long better = 0;
        long worse = 0;
        long judged = 0;
        long hits = 0;
        // settled decisions in the order outcomes were realised (for the drawdowns), the pending ones after them
        String sql = "SELECT direction, size, shadow_direction, shadow_size, outcome_status = 1, realised_return,"
                + " has_prediction AND outcome_status = 1, (ensemble_probability >= 0.5) = realised_positive"
                + " FROM decision.decision WHERE shadow_id = ? ORDER BY outcome_ts_micros NULLS LAST, ts_micros, decision_id";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, shadowId);
            ps.setFetchSize(10_000);
            c.setAutoCommit(false); // a cursor: the rows stream instead of being read at once
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    decisions++;
                    int direction = rs.getShort(1);
                    double size = rs.getDouble(2);
                    int shadowDirection = rs.getShort(3);
                    double shadowSize = rs.getDouble(4);
                    boolean joined = rs.getBoolean(5);
                    Double realised = joined ? rs.getDouble(6) : null;
                    live.add(direction, size, realised);
                    shadow.add(shadowDirection, shadowSize, realised);
                    if (!joined) {
                        continue;
                    }
                    settled++;
                    if (rs.getBoolean(7)) {
                        judged++;
                        if (rs.getBoolean(8)) {
                            hits++;
                        }
                    }
                    double livePosition = direction * size;
                    double shadowPosition = shadowDirection * shadowSize;
                    if (livePosition == shadowPosition) {
                        same++;
                    }
                    double difference = (shadowPosition - livePosition) * realised;
                    if (difference > 0) {
                        better++;
                    } else if (difference < 0) {
                        worse++;
                    }
                }
            } finally {
                c.commit();
                c.setAutoCommit(true);
            }
        }
        b.setDecisions(decisions).setSettled(settled).setSamePosition(same)
                .setLive(live.metrics(decisions, settled, judged, hits))
                .setShadow(shadow.metrics(decisions, settled, judged, hits))
                .setShadowBetter(better).setShadowWorse(worse);
    }

    private static void checkId(String shadowId) {
        Identifiers.requireIdentifier("shadow_id", shadowId, MAX_SHADOW_ID, "the shadow run (rule-service uses the proposal id)");
    }

    private static RequestRefused unknown(String shadowId) {
        return notFound("shadow_id", "shadow_id \"" + Identifiers.escaped(shadowId) + "\": no such shadow run (StartShadowRun starts one)");
    }
}
