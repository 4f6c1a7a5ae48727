package dev.arbiter.decision.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One immutable policy parameter set version: every parameter's value by name. */
@Entity
@Table(name = "parameter_set")
public class ParameterSetEntity extends PanacheEntityBase {

    @Id
    public int version;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "vals", nullable = false, columnDefinition = "jsonb")
    public Map<String, Double> values;

    @Column(nullable = false)
    public String author;

    @Column(nullable = false)
    public String reason;

    @Column(name = "created_ts_micros", nullable = false)
    public long createdTsMicros;

    @Column(name = "source_version", nullable = false)
    public int sourceVersion;

    /** The highest version stored, 0 when none. */
    public static int maxVersion() {
        Integer max = getEntityManager().createQuery("SELECT max(p.version) FROM ParameterSetEntity p", Integer.class).getSingleResult();
        return max == null ? 0 : max;
    }
}
