package dev.arbiter.model.service;

import java.util.List;

/** Member weights of one ensemble at one moment; {@code snapshotId} names it for replay. */
public record EnsembleWeights(
        String ensemble, int revision, String snapshotId, long outcomeCount, long updatedMicros, double halfLife, double floor,
        List<MemberWeight> members) {

    /** {@code weight} is normalised over the non-shadow members; a shadow member's is what it would get, for reporting. */
    public record MemberWeight(VersionKey key, double weight, double score, long outcomes, boolean shadow) {}

    MemberWeight of(VersionKey key) {
        for (MemberWeight m : members) {
            if (m.key().equals(key)) {
                return m;
            }
        }
        return null;
    }
}
