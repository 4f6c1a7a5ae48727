package dev.arbiter.model.service;

import java.util.List;

/** A prediction: each member's part and the combination; {@code metaProbability} NaN when no meta model answered. */
public record PredictionResult(
        String predictionId,
        List<Member> members,
        double ensembleProbability,
        double agreement,
        String weightsSnapshotId,
        String ensembleName,
        int ensembleRevision,
        String seriesId,
        long tsMicros,
        String featureSchemaId,
        long latencyMicros,
        double metaProbability) {

    public record Member(VersionKey key, double probability, double weight, boolean shadow, long latencyMicros) {}
}
