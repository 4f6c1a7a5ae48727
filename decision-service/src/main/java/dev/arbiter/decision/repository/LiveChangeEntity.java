package dev.arbiter.decision.repository;

import dev.arbiter.service.ObservationTimes;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.List;

/** One change of the live version of parameters or rules; the newest row of a kind is the live version. */
@Entity
@Table(name = "live_change")
public class LiveChangeEntity extends PanacheEntityBase {

    public static final String PARAMETERS = "parameters";
    public static final String RULES = "rules";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public int version;

    @Column(name = "changed_ts_micros", nullable = false)
    public long changedTsMicros;

    @Column(nullable = false)
    public String author;

    @Column(nullable = false)
    public String reason;

    /**
     * Makes {@code version} of {@code kind} live (call with the kind {@link #lock}ed, inside the transaction that made
     * the version): the one write of which version is live, for PolicyVersions' changes and LivePolicy's first versions.
     */
    public static void record(String kind, int version, String author, String reason) {
        LiveChangeEntity c = new LiveChangeEntity();
        c.kind = kind;
        c.version = version;
        c.changedTsMicros = ObservationTimes.nowMicros();
        c.author = author;
        c.reason = reason;
        c.persist();
    }

    /** The live version of a kind, 0 when none yet. */
    public static int live(String kind) {
        List<LiveChangeEntity> last = find("kind = ?1 ORDER BY id DESC", kind).page(0, 1).list();
        return last.isEmpty() ? 0 : last.get(0).version;
    }

    /** The version live before the current one, 0 when there was none. */
    public static int previous(String kind) {
        List<LiveChangeEntity> last = find("kind = ?1 ORDER BY id DESC", kind).page(0, 2).list();
        return last.size() < 2 ? 0 : last.get(1).version;
    }

    /**
     * Locks the kind's row in live_lock until the transaction ends, so changes from all replicas are serialised.
     * Kinds: parameters, rules, variants.
     */
    public static void lock(String kind) {
        getEntityManager().createNativeQuery("SELECT kind FROM decision.live_lock WHERE kind = ?1 FOR UPDATE")
                .setParameter(1, kind)
                .getResultList();
    }
}
