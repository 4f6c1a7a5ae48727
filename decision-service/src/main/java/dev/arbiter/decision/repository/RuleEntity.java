package dev.arbiter.decision.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.List;

/** One CEL rule of a rule set version, at its position in evaluation order. */
@Entity
@Table(name = "rule")
public class RuleEntity extends PanacheEntityBase {

    /** (rule set version, position). */
    @Embeddable
    public record Key(@Column(name = "rule_set_version") int ruleSetVersion, @Column(name = "position") int position)
            implements Serializable {}

    @EmbeddedId
    public Key key;

    @Column(name = "rule_id", nullable = false)
    public String ruleId;

    @Column(nullable = false)
    public String expression;

    /** GATE or SIZING. */
    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public String description = "";

    /** The rules of one version, in evaluation order. */
    public static List<RuleEntity> ofVersion(int version) {
        return list("key.ruleSetVersion = ?1 ORDER BY key.position", version);
    }
}
