package dev.arbiter.model.service;

import java.time.Instant;
import java.util.List;

/**
 * One revision of an ensemble definition, immutable: a prediction uses the plan it started with to the end.
 * {@code metaModel} is the learned gate's model, or null.
 */
public record EnsemblePlan(
        String name,
        String description,
        int revision,
        List<Member> members,
        double halfLifeOutcomes,
        double floor,
        Instant createdAt,
        Instant updatedAt,
        VersionKey metaModel) {

    /** A pinned member version; {@code initialWeight} 0 means an equal share, {@code maxWeight} 0 no cap. */
    public record Member(VersionKey key, double initialWeight, boolean shadow, double maxWeight) {}

    /** The score a member starts from before any outcome. */
    double initialScore(Member m) {
        return m.initialWeight() > 0 ? m.initialWeight() : 1.0 / members.size();
    }

    /** True when {@code key} is a member or the meta model. */
    boolean contains(VersionKey key) {
        return key.equals(metaModel) || members.stream().anyMatch(m -> m.key().equals(key));
    }
}
