package dev.arbiter.decision.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A feature schema seen from feature-service: its names in FeatureVector order and the policy's inputs, kept for replays. */
@Entity
@Table(name = "feature_schema")
public class FeatureSchemaEntity extends PanacheEntityBase {

    @Id
    @Column(name = "schema_id")
    public String schemaId;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false, columnDefinition = "text[]")
    public String[] names;

    @Column(name = "seen_ts_micros", nullable = false)
    public long seenTsMicros;

    /** The feature the policy reads as its volatility (FeatureInfo.policy_input); null when the schema has none. */
    @Column(name = "volatility_feature")
    public String volatilityFeature;

    /** The feature the policy reads as its trend strength; null when the schema has none. */
    @Column(name = "trend_feature")
    public String trendFeature;
}
