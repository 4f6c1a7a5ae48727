package dev.arbiter.optimizer.promotion;

import dev.arbiter.optimizer.config.PromotionConfig;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The continuing promotion in PostgreSQL (table promotion, V5__promotions.sql): started, renewed at every step by
 * the process that runs it (its lease), ended, or adopted by another process once the lease has run out. Every
 * change is one statement, so two processes never both run it.
 */
@ApplicationScoped
public class PromotionStore {

    /** A stored RUNNING promotion, as adopted. */
    public record Stored(long id, PromotionTarget target, double smoothing, String requestedBy, PromotionGuard guard,
                         int startVersion, int lastVersion, int steps) {}

    /**
     * Stores a continuing promotion as RUNNING, owned by {@code owner} until {@code leaseUntilMicros}; every other
     * RUNNING one becomes SUPERSEDED (its process stops at its next step). Returns its id.
     */
    @Transactional
    public long start(String decisionService, PromotionTarget target, double smoothing, String requestedBy,
                      PromotionGuard guard, int startVersion, int lastVersion, int steps, String owner, long leaseUntilMicros) {
        long now = nowMicros();
        supersede(decisionService);
        Object id = Panache.getEntityManager().createNativeQuery("INSERT INTO {h-schema}promotion (source, target, smoothing, "
                        + "requested_by, guard_metric, guard_margin, guard_min_settled, guard_baseline, guard_baseline_settled, "
                        + "start_version, last_version, steps, state, owner, lease_until_micros, updated_ts_micros, "
                        + "decision_service) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'RUNNING', ?13, ?14, "
                        + "?15, ?16) RETURNING promotion_id")
                .setParameter(1, target.source())
                .setParameter(2, encode(target.values()))
                .setParameter(3, smoothing)
                .setParameter(4, requestedBy)
                .setParameter(5, guard.metric().name())
                .setParameter(6, guard.margin())
                .setParameter(7, guard.minSettled())
                .setParameter(8, guard.baseline())
                .setParameter(9, guard.baselineSettled())
                .setParameter(10, startVersion)
                .setParameter(11, lastVersion)
                .setParameter(12, steps)
                .setParameter(13, owner)
                .setParameter(14, leaseUntilMicros)
                .setParameter(15, now)
                .setParameter(16, decisionService)
                .getSingleResult();
        return ((Number) id).longValue();
    }

    /** Ends every RUNNING promotion into {@code decisionService} as SUPERSEDED: a newer promotion has been asked for. */
    @Transactional
    public int supersede(String decisionService) {
        return Panache.getEntityManager().createNativeQuery("UPDATE {h-schema}promotion SET state = 'SUPERSEDED', updated_ts_micros = ?1 "
                + "WHERE state = 'RUNNING' AND decision_service = ?2").setParameter(1, nowMicros()).setParameter(2, decisionService)
                .executeUpdate();
    }

    /**
     * Before a step: extends the lease, if {@code owner} still runs promotion {@code id} (false: it was superseded or
     * adopted by another process, so this one stops).
     */
    @Transactional
    public boolean renew(long id, String owner, long leaseUntilMicros) {
        return Panache.getEntityManager().createNativeQuery("UPDATE {h-schema}promotion SET lease_until_micros = ?1, "
                        + "updated_ts_micros = ?2 WHERE promotion_id = ?3 AND owner = ?4 AND state = 'RUNNING'")
                .setParameter(1, leaseUntilMicros).setParameter(2, nowMicros()).setParameter(3, id).setParameter(4, owner)
                .executeUpdate() == 1;
    }

    /** After a step: what it did, and the state it leaves ({@code RUNNING} to go on). */
    @Transactional
    public void record(long id, String owner, int lastVersion, int steps, String state) {
        Panache.getEntityManager().createNativeQuery("UPDATE {h-schema}promotion SET last_version = ?1, steps = ?2, state = ?3, "
                        + "updated_ts_micros = ?4 WHERE promotion_id = ?5 AND owner = ?6 AND state = 'RUNNING'")
                .setParameter(1, lastVersion).setParameter(2, steps).setParameter(3, state).setParameter(4, nowMicros())
                .setParameter(5, id).setParameter(6, owner).executeUpdate();
    }

    /**
     * Takes over the oldest RUNNING promotion into {@code decisionService} whose lease has run out (its process is
     * gone), if there is one.
     */
    @Transactional
    public Optional<Stored> adopt(String decisionService, String owner, long leaseUntilMicros) {
        long now = nowMicros();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager().createNativeQuery("UPDATE {h-schema}promotion SET owner = ?1, "
                        + "lease_until_micros = ?2, updated_ts_micros = ?3 WHERE promotion_id = (SELECT promotion_id FROM {h-schema}"
                        + "promotion WHERE state = 'RUNNING' AND lease_until_micros < ?3 AND decision_service = ?4 ORDER BY promotion_id LIMIT 1 "
                        + "FOR UPDATE SKIP LOCKED) RETURNING promotion_id, source, target, smoothing, requested_by, "
                        + "guard_metric, guard_margin, guard_min_settled, guard_baseline, guard_baseline_settled, "
                        + "start_version, last_version, steps")
                .setParameter(1, owner).setParameter(2, leaseUntilMicros).setParameter(3, now).setParameter(4, decisionService)
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] r = rows.get(0);
        PromotionGuard guard = new PromotionGuard(PromotionConfig.Metric.valueOf((String) r[5]), ((Number) r[6]).doubleValue(),
                ((Number) r[7]).longValue(), ((Number) r[8]).doubleValue(), ((Number) r[9]).longValue());
        return Optional.of(new Stored(((Number) r[0]).longValue(), new PromotionTarget(decode((String) r[2]), (String) r[1]),
                ((Number) r[3]).doubleValue(), (String) r[4], guard, ((Number) r[10]).intValue(),
                ((Number) r[11]).intValue(), ((Number) r[12]).intValue()));
    }

    static String encode(Map<String, Double> values) {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(values).forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        return s.toString();
    }

    static Map<String, Double> decode(String text) {
        Map<String, Double> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                int eq = line.indexOf('=');
                out.put(line.substring(0, eq), Double.parseDouble(line.substring(eq + 1)));
            }
        }
        return out;
    }

    private static long nowMicros() {
        return System.currentTimeMillis() * 1000;
    }
}
