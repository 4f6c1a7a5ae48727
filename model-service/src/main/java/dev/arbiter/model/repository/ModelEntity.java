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

/** A named model: the parent of its immutable versions. */
@Entity
@Table(name = "model")
public class ModelEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, unique = true)
    public String name;

    @Column(nullable = false)
    public String description = "";

    @Column(name = "created_at", nullable = false)
    public Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);

    public static Optional<ModelEntity> byName(String name) {
        return find("name", name).firstResultOptional();
    }

    /** The model row locked for the rest of the transaction, so that version numbers are assigned one at a time. */
    public static Optional<ModelEntity> byNameForUpdate(String name) {
        return find("name", name).withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }
}
