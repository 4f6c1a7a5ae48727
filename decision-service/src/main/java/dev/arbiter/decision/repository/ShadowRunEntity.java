package dev.arbiter.decision.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.List;

/** A shadow run: a rule set version decided beside the live rules without acting; running while stoppedTsMicros is null. */
@Entity
@Table(name = "shadow_run")
public class ShadowRunEntity extends PanacheEntityBase {

    @Id
    @Column(name = "shadow_id")
    public String shadowId;

    @Column(name = "rule_set_version", nullable = false)
    public int ruleSetVersion;

    @Column(nullable = false)
    public String author;

    @Column(nullable = false)
    public String reason;

    @Column(name = "started_ts_micros", nullable = false)
    public long startedTsMicros;

    @Column(name = "stopped_ts_micros")
    public Long stoppedTsMicros;

    @Column(name = "stop_author")
    public String stopAuthor;

    @Column(name = "stop_reason")
    public String stopReason;

    /** The running shadow run, if any (at most one: a unique partial index). */
    public static ShadowRunEntity running() {
        List<ShadowRunEntity> r = find("stoppedTsMicros IS NULL").list();
        return r.isEmpty() ? null : r.get(0);
    }
}
