package dev.arbiter.model.service;

import java.time.Instant;

/** A registered model (its versions are {@link VersionInfo}s): what the gRPC layer reads instead of the entity. */
public record ModelInfo(String name, String description, Instant createdAt) {}
