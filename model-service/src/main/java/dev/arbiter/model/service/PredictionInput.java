package dev.arbiter.model.service;

import java.util.Map;

/**
 * One row of input: either a schema-ordered vector ({@code values}, with its {@code schemaId}) or
 * features by name ({@code named}); exactly one of the two is non-null.
 */
public record PredictionInput(String seriesId, long tsMicros, String schemaId, double[] values, Map<String, Double> named) {}
