package dev.arbiter.feature.service;

/** An immutable copy of a series' latest features, safe to hand to another thread. */
public record FeatureSnapshot(
        String seriesId, long tsMicros, String schemaId, double[] values, boolean warm, long observationCount,
        int gapToCover) {}
