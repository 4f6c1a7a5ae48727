package dev.arbiter.model.service;

import java.util.List;

/** Member weights of one ensemble at one moment; {@code snapshotId} names it for replay. */
public record EnsembleWeights(
        String ensemble, int revision, String snapshotId, long outcomeCount, long updatedMicros, double halfLife, double floor,
        List<MemberWeight> members) {

    /** {@code weight} is normalised over the non-shadow members; a shadow member's is what it would get, for reporting. */
    public record MemberWeight(VersionKey key, double weight, double score, long outcomes, boolean shadow, double maxWeight) {}

    /**
     * Caps normalised weights in place: a weight above its cap ({@code caps[i]} > 0) is set to it and the excess is
     * shared among the uncapped-so-far weights in proportion to them, repeated until none is above; when every weight
     * is held at its cap and they sum below 1, they are scaled to sum to 1. {@code weights} sum to 1 (or are all 0).
     */
    static void cap(double[] weights, double[] caps) {
        int n = weights.length;
        boolean[] held = new boolean[n];
        for (int round = 0; round < n; round++) {
            double excess = 0;
            double free = 0;
            for (int i = 0; i < n; i++) {
                if (!held[i] && caps[i] > 0 && weights[i] > caps[i]) {
                    excess += weights[i] - caps[i];
                    weights[i] = caps[i];
                    held[i] = true;
                }
            }
            if (excess == 0) {
                return;
            }
            for (int i = 0; i < n; i++) {
                if (!held[i]) {
                    free += weights[i];
                }
            }
            if (free <= 0) {
                double total = 0;
                for (double w : weights) {
                    total += w;
                }
                for (int i = 0; i < n && total > 0; i++) {
                    weights[i] /= total;
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                if (!held[i]) {
                    weights[i] += excess * weights[i] / free;
                }
            }
        }
    }

    MemberWeight of(VersionKey key) {
        for (MemberWeight m : members) {
            if (m.key().equals(key)) {
                return m;
            }
        }
        return null;
    }
}
