package dev.arbiter.decision.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An A/B variant: a share of series decided with other parameter and rule set versions (0 = follow live). */
@Entity
@Table(name = "variant")
public class VariantEntity extends PanacheEntityBase {

    @Id
    public String name;

    @Column(name = "split_fraction", nullable = false)
    public double splitFraction;

    @Column(name = "parameter_set_version", nullable = false)
    public int parameterSetVersion;

    @Column(name = "rule_set_version", nullable = false)
    public int ruleSetVersion;

    @Column(nullable = false)
    public String description = "";

    @Column(name = "created_ts_micros", nullable = false)
    public long createdTsMicros;
}
