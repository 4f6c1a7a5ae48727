package dev.arbiter.decision.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One immutable rule set version; its rules are {@link RuleEntity} rows. */
@Entity
@Table(name = "rule_set")
public class RuleSetEntity extends PanacheEntityBase {

    @Id
    public int version;

    @Column(nullable = false)
    public String author;

    @Column(nullable = false)
    public String reason;

    @Column(name = "created_ts_micros", nullable = false)
    public long createdTsMicros;

    @Column(name = "source_version", nullable = false)
    public int sourceVersion;

    /** Comma-separated rule-service proposal ids this version promotes. */
    @Column(name = "proposal_ids", nullable = false)
    public String proposalIds = "";

    public static int maxVersion() {
        Integer max = getEntityManager().createQuery("SELECT max(r.version) FROM RuleSetEntity r", Integer.class).getSingleResult();
        return max == null ? 0 : max;
    }
}
