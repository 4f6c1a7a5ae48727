package dev.arbiter.decision.outcome;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.decision.config.OutcomeConfig;
import dev.arbiter.decision.log.DecisionQueries;
import dev.arbiter.decision.policy.FeatureSchemas;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.engine.policy.BuiltInGate;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.GateStatistics;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.VariantPerformance;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.TimeRanges;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Performance per variant, computed in PostgreSQL from the decision log over a range of observation time, so every
 * replica answers the same. Definitions are common.proto's PerformanceMetrics and match engine's Simulator, so live
 * numbers compare with backtests: only JOINED outcomes count (LATE ones are stored, not counted); precision and
 * false positives judge acted decisions by the sign of direction x realised return (a zero return is neither);
 * hit rate judges decisions that had a prediction (p >= 0.5 against the realised label); pnl is not compounded
 * and carries no costs here; sharpe is mean / standard deviation of per-decision pnl over all decisions (FLAT and
 * pending ones count 0), not annualised; max drawdown is of cumulative pnl in the order outcomes were realised,
 * from a peak of at least 0; turnover counts each action opened and closed (2 x size).
 */
@ApplicationScoped
public class PerformanceTracker {

    /** The variants' performance and the range covered. */
    public record Report(List<VariantPerformance> variants, long startTsMicros, long endTsMicros) {}

    /** The most decisions per variant a breakdown reads (the latest). */
    static final int BREAKDOWN_DECISIONS = 20_000;

    private final DataSource db;
    private final LivePolicy policy;
    private final OutcomeConfig config;
    private final FeatureSchemas schemas;
    private final DecisionConfig decisionConfig;

    public PerformanceTracker(DataSource db, LivePolicy policy, OutcomeConfig config, FeatureSchemas schemas,
                              DecisionConfig decisionConfig) {
        this.db = db;
        this.policy = policy;
        this.config = config;
        this.schemas = schemas;
        this.decisionConfig = decisionConfig;
    }

    /**
     * @param variantNames only these ("live" for the default policy); empty = live, every configured variant and every
     *                     variant with decisions in the range
     * @param range        null = the configured rolling window of each series, ending at that series' latest decision
     *                     (so no series, however far ahead its times are, moves another's window)
     */
    public Report performance(List<String> variantNames, String seriesId, TimeRange range) {
        return performance(variantNames, seriesId, range, 0, false);
    }

    /**
     * As above, over the decisions made with rule set version {@code ruleSetVersion} only (0 = any); with
     * {@code breakdown}, the losing actions by regime and feature decile and the observed ranges too
     * ({@link LossBreakdown}, over each variant's latest {@link #BREAKDOWN_DECISIONS} decisions).
     */
    public Report performance(List<String> variantNames, String seriesId, TimeRange range, int ruleSetVersion, boolean breakdown) {
        DecisionQueries.checkSeriesId(seriesId, "series_id");
        if (ruleSetVersion < 0) {
            throw RequestRefused.invalid("rule_set_version", "rule_set_version is " + ruleSetVersion
                    + "; send a rule set version (>= 1) to count only its decisions, or 0 for every decision");
        }
        if (range != null) {
            TimeRanges.check("range", range.getStartTsMicros(), range.getEndTsMicros());
        }
        for (int i = 0; i < variantNames.size(); i++) {
            if (variantNames.get(i).isEmpty()) {
                throw RequestRefused.invalid("variant_names[" + i + "]", "variant_names[" + i + "] is empty; send a variant name, \"live\" for the default policy, or no names for all");
            }
        }
        try (Connection c = db.getConnection()) {
            long start;
            long end;
            long window = 0;
            if (range != null) {
                start = range.getStartTsMicros();
                end = range.getEndTsMicros();
            } else {
                window = config.performanceWindow().toNanos() / 1_000;
                long[] latest = latestTs(c, seriesId);
                if (latest == null) {
                    start = 0;
                    end = 0;
                } else {
                    // what the per-series windows cover together: from the earliest series' window to the latest decision
                    start = latest[0] + 1 - window;
                    end = latest[1] + 1;
                }
            }
            Where where = new Where(seriesId, start, end, window, ruleSetVersion);
            LivePolicy.State state = policy.state();
            Set<String> seen = distinctVariants(c, where);
            Set<String> chosen = new TreeSet<>();
            if (variantNames.isEmpty()) {
                chosen.add(LivePolicy.LIVE);
                state.variants().forEach(v -> chosen.add(v.name()));
                chosen.addAll(seen);
            } else {
                for (int i = 0; i < variantNames.size(); i++) {
                    String n = variantNames.get(i);
                    if (!n.equals(LivePolicy.LIVE) && state.variant(n).isEmpty() && !seen.contains(n)) {
                        Set<String> known = new TreeSet<>(seen);
                        known.add(LivePolicy.LIVE);
                        state.variants().forEach(v -> known.add(v.name()));
                        throw RequestRefused.notFound("variant_names[" + i + "]", "variant_names[" + i + "] \"" + n
                                + "\" is neither a variant nor found in the decision log for this range; known: " + known);
                    }
                    chosen.add(n);
                }
            }
            Map<String, VariantPerformance.Builder> out = new TreeMap<>();
            for (String n : chosen) {
                VariantPerformance.Builder b = VariantPerformance.newBuilder().setVariantName(n).setMetrics(PerformanceMetrics.getDefaultInstance());
                if (n.equals(LivePolicy.LIVE)) {
                    b.setParameterSetVersion(state.parameterSetVersion()).setRuleSetVersion(state.ruleSetVersion());
                } else {
                    state.variant(n).ifPresent(v -> b
                            .setParameterSetVersion(v.parameterSetVersion() == 0 ? state.parameterSetVersion() : v.parameterSetVersion())
                            .setRuleSetVersion(v.ruleSetVersion() == 0 ? state.ruleSetVersion() : v.ruleSetVersion()));
                }
                out.put(n, b);
            }
            metrics(c, where, out);
            drawdowns(c, where, out);
            gates(c, where, out);
            if (breakdown) {
                breakdown(c, where, out);
            }
            List<VariantPerformance> list = new ArrayList<>();
            out.values().forEach(b -> list.add(b.build()));
            return new Report(list, start, end);
        } catch (SQLException e) {
            throw new RequestRefused(Status.Code.UNAVAILABLE, "range", "the decision log's database is unreachable (" + e.getMessage() + "); retry in a few seconds");
        }
    }

    /**
     * The WHERE clause of every query: series and observation-time range; or, with a {@code window} (no range asked
     * for), each series' own last {@code window} micros up to its latest decision.
     */
    private record Where(String seriesId, long start, long end, long window, int ruleSetVersion) {

        String sql() {
            if (window > 0) {
                // per series: the index decision_series_ts answers each series' latest decision
                StringBuilder s = new StringBuilder(" WHERE ts_micros > (SELECT max(m.ts_micros) FROM decision.decision m"
                        + " WHERE m.series_id = decision.series_id) - ?");
                if (!seriesId.isEmpty()) {
                    s.append(" AND series_id = ?");
                }
                if (ruleSetVersion > 0) {
                    s.append(" AND rule_set_version = ?");
                }
                return s.toString();
            }
            // 0 is "no bound" at either end; negative times are before 1970
            StringBuilder s = new StringBuilder(" WHERE ts_micros >= ?");
            if (end != 0) {
                s.append(" AND ts_micros < ?");
            }
            if (!seriesId.isEmpty()) {
                s.append(" AND series_id = ?");
            }
            if (ruleSetVersion > 0) {
                s.append(" AND rule_set_version = ?");
            }
            return s.toString();
        }

        int bind(PreparedStatement ps) throws SQLException {
            int i = 1;
            if (window > 0) {
                ps.setLong(i++, window);
            } else {
                ps.setLong(i++, TimeRanges.from(start));
                if (end != 0) {
                    ps.setLong(i++, end);
                }
            }
            if (!seriesId.isEmpty()) {
                ps.setString(i++, seriesId);
            }
            if (ruleSetVersion > 0) {
                ps.setInt(i++, ruleSetVersion);
            }
            return i;
        }
    }

    /** The earliest and the latest of the series' latest decisions (one series' when named); null without decisions. */
    private static long[] latestTs(Connection c, String seriesId) throws SQLException {
        String sql = "SELECT min(m), max(m) FROM (SELECT max(ts_micros) AS m FROM decision.decision"
                + (seriesId.isEmpty() ? "" : " WHERE series_id = ?") + " GROUP BY series_id) latest";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (!seriesId.isEmpty()) {
                ps.setString(1, seriesId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long first = rs.getLong(1);
                return rs.wasNull() ? null : new long[] {first, rs.getLong(2)};
            }
        }
    }

    private static Set<String> distinctVariants(Connection c, Where where) throws SQLException {
        Set<String> names = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT variant FROM decision.decision" + where.sql())) {
            where.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    private static void metrics(Connection c, Where where, Map<String, VariantPerformance.Builder> out) throws SQLException {
        String sql = "SELECT variant, count(*), count(*) FILTER (WHERE acted), count(*) FILTER (WHERE outcome_status = 1),"
                + " count(*) FILTER (WHERE outcome_status = 1 AND has_prediction),"
                + " count(*) FILTER (WHERE outcome_status = 1 AND has_prediction AND (ensemble_probability >= 0.5) = realised_positive),"
                + " count(*) FILTER (WHERE outcome_status = 1 AND acted AND direction * realised_return > 0),"
                + " count(*) FILTER (WHERE outcome_status = 1 AND acted AND direction * realised_return < 0),"
                + " coalesce(sum(pnl) FILTER (WHERE outcome_status = 1 AND acted), 0),"
                + " coalesce(sum(pnl * pnl) FILTER (WHERE outcome_status = 1 AND acted), 0),"
                + " coalesce(sum(2 * size) FILTER (WHERE acted), 0),"
                + " count(*) FILTER (WHERE acted AND outcome_status IS NULL),"
                + " count(*) FILTER (WHERE degraded)"
                + " FROM decision.decision" + where.sql() + " GROUP BY variant";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            where.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    VariantPerformance.Builder b = out.get(rs.getString(1));
                    if (b == null) {
                        continue;
                    }
                    long decisions = rs.getLong(2);
                    long judged = rs.getLong(5);
                    long hits = rs.getLong(6);
                    long wins = rs.getLong(7);
                    long losses = rs.getLong(8);
                    double pnl = rs.getDouble(9);
                    double pnlSquares = rs.getDouble(10);
                    double mean = decisions == 0 ? 0 : pnl / decisions;
                    double variance = decisions == 0 ? 0 : pnlSquares / decisions - mean * mean;
                    b.setMetrics(b.getMetrics().toBuilder()
                            .setDecisionCount(decisions)
                            .setActionCount(rs.getLong(3))
                            .setOutcomeCount(rs.getLong(4))
                            .setHitRate(judged == 0 ? 0 : (double) hits / judged)
                            .setPrecision(wins + losses == 0 ? 0 : (double) wins / (wins + losses))
                            .setFalsePositiveActions(losses)
                            .setPnl(pnl)
                            .setSharpe(variance > 1e-300 ? mean / Math.sqrt(variance) : 0)
                            .setTurnover(rs.getDouble(11)));
                    b.setPendingOutcomes(rs.getLong(12));
                    b.setDegradedDecisions(rs.getLong(13));
                }
            }
        }
    }

    private static void drawdowns(Connection c, Where where, Map<String, VariantPerformance.Builder> out) throws SQLException {
        String order = "ORDER BY outcome_ts_micros, ts_micros, decision_id ROWS UNBOUNDED PRECEDING";
        String sql = "SELECT variant, max(greatest(peak, 0) - cum) FROM ("
                + " SELECT variant, cum, max(cum) OVER (PARTITION BY variant " + order + ") AS peak, outcome_ts_micros, ts_micros, decision_id FROM ("
                + "  SELECT variant, outcome_ts_micros, ts_micros, decision_id, sum(pnl) OVER (PARTITION BY variant " + order + ") AS cum"
                + "  FROM decision.decision" + where.sql() + " AND outcome_status = 1 AND acted) a) b GROUP BY variant";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            where.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    VariantPerformance.Builder b = out.get(rs.getString(1));
                    if (b != null) {
                        b.setMetrics(b.getMetrics().toBuilder().setMaxDrawdown(Math.max(0, rs.getDouble(2))));
                    }
                }
            }
        }
    }

    private static void gates(Connection c, Where where, Map<String, VariantPerformance.Builder> out) throws SQLException {
        String sql = "SELECT variant, g, count(*), count(*) FILTER (WHERE g = ANY (blocked)),"
                + " count(*) FILTER (WHERE g = ANY (blocked) AND outcome_status = 1 AND leaning * realised_return < 0),"
                + " count(*) FILTER (WHERE g = ANY (blocked) AND outcome_status = 1 AND leaning * realised_return > 0)"
                + " FROM decision.decision CROSS JOIN LATERAL unnest(gates) AS g" + where.sql() + " GROUP BY variant, g";
        Map<String, List<GateStatistics>> byVariant = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            where.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byVariant.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(GateStatistics.newBuilder()
                            .setGateName(rs.getString(2))
                            .setEvaluations(rs.getLong(3))
                            .setBlocked(rs.getLong(4))
                            .setBlockedWouldLose(rs.getLong(5))
                            .setBlockedWouldWin(rs.getLong(6))
                            .build());
                }
            }
        }
        byVariant.forEach((variant, stats) -> {
            VariantPerformance.Builder b = out.get(variant);
            if (b != null) {
                stats.sort(GATE_ORDER);
                b.addAllGates(stats);
            }
        });
    }

    /**
     * Each variant's latest non-degraded decisions with a prediction, decoded from the log into {@link LossBreakdown}
     * rows: the rule variables as the policy saw them (features, prediction, risk state before the decision) and how
     * the action went.
     */
    private void breakdown(Connection c, Where where, Map<String, VariantPerformance.Builder> out) throws SQLException {
        String sql = "SELECT decision, CASE WHEN outcome_status = 1 AND acted THEN sign(direction * realised_return) ELSE 0 END"
                + " FROM decision.decision" + where.sql() + " AND variant = ? AND NOT degraded AND has_prediction"
                + " ORDER BY ts_micros DESC LIMIT " + BREAKDOWN_DECISIONS;
        Map<String, FeatureSchemas.Schema> known = new HashMap<>();
        for (Map.Entry<String, VariantPerformance.Builder> v : out.entrySet()) {
            List<LossBreakdown.Row> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(where.bind(ps), v.getKey());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        LossBreakdown.Row row = row(rs.getBytes(1), (int) rs.getDouble(2), known);
                        if (row != null) {
                            rows.add(row);
                        }
                    }
                }
            }
            LossBreakdown.Result r = LossBreakdown.of(rows);
            v.getValue().addAllRegimes(r.regimes()).addAllFeatureDeciles(r.deciles()).addAllObserved(r.observed())
                    .setBreakdownDecisions(rows.size());
        }
    }

    private LossBreakdown.Row row(byte[] bytes, int result, Map<String, FeatureSchemas.Schema> known) {
        Decision d;
        try {
            d = Decision.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
        FeatureVector f = d.getFeatures();
        FeatureSchemas.Schema schema = known.computeIfAbsent(f.getSchemaId(), id -> {
            try {
                return schemas.schema(id, "breakdown");
            } catch (RequestRefused e) {
                return null;
            }
        });
        Map<String, Double> features = new LinkedHashMap<>();
        double volatility = Double.NaN;
        double trend = Double.NaN;
        if (schema != null && schema.names().size() == f.getValuesCount()) {
            for (int i = 0; i < f.getValuesCount(); i++) {
                if (Double.isFinite(f.getValues(i))) {
                    features.put(schema.names().get(i), f.getValues(i));
                }
            }
            int vol = schema.volatilityIndex(decisionConfig.volatilityFeature());
            int tr = schema.trendIndex(decisionConfig.trendFeature());
            volatility = vol < 0 ? Double.NaN : f.getValues(vol);
            trend = tr < 0 ? Double.NaN : f.getValues(tr);
        }
        double p = d.getEnsembleProbability();
        Map<String, Double> variables = new HashMap<>();
        variables.put("probability", p);
        variables.put("confidence", d.getConfidence());
        variables.put("agreement", d.getAgreement());
        variables.put("volatility", volatility);
        variables.put("trend_strength", trend);
        variables.put("drawdown", d.getRiskState().getDrawdown());
        variables.put("exposure", d.getRiskState().getExposure());
        variables.put("series_exposure", d.getRiskState().getSeriesExposure());
        variables.put("direction", p > 0.5 ? 1.0 : p < 0.5 ? -1.0 : 0.0);
        return new LossBreakdown.Row(variables, features, volatility, trend, result);
    }

    /** Built-in gates in evaluation order, then rules by id. */
    static final Comparator<GateStatistics> GATE_ORDER = Comparator
            .comparingInt((GateStatistics g) -> builtInIndex(g.getGateName()))
            .thenComparing(GateStatistics::getGateName);

    private static int builtInIndex(String name) {
        for (BuiltInGate g : BuiltInGate.values()) {
            if (g.gateName().equals(name)) {
                return g.ordinal();
            }
        }
        return BuiltInGate.values().length;
    }
}
