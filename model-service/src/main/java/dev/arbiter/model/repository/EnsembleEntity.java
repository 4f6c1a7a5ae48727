package dev.arbiter.model.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** A named ensemble definition; redefinition bumps its revision. */
@Entity
@Table(name = "ensemble")
public class EnsembleEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, unique = true)
    public String name;

    @Column(nullable = false)
    public String description = "";

    /** JSON array of {modelName, version, initialWeight}. */
    @Column(nullable = false)
    public String members;

    @Column(name = "half_life_outcomes", nullable = false)
    public double halfLifeOutcomes;

    @Column(name = "weight_floor", nullable = false)
    public double weightFloor;

    @Column(nullable = false)
    public int revision;

    /** The learned gate's model, or null (both null together). */
    @Column(name = "meta_model_name")
    public String metaModelName;

    @Column(name = "meta_model_version")
    public Integer metaModelVersion;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);

    public static Optional<EnsembleEntity> byName(String name) {
        return find("name", name).firstResultOptional();
    }

    public static Optional<EnsembleEntity> byNameForUpdate(String name) {
        return find("name", name).withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }
}
