package dev.arbiter.decision.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The A/B experiment the variants belong to (one row): the assignment salt and when it started. */
@Entity
@Table(name = "variant_experiment")
public class VariantExperimentEntity extends PanacheEntityBase {

    @Id
    public short id = 1;

    @Column(nullable = false)
    public String salt = "";

    @Column(name = "started_ts_micros", nullable = false)
    public long startedTsMicros;

    /** The one row (the migration inserts it). */
    public static VariantExperimentEntity current() {
        return findById((short) 1);
    }
}
