package dev.arbiter.model.service;

/** Lifecycle of a model version, as stored. */
public enum VersionStatus {
    STAGED,
    ACTIVE,
    SHADOW,
    RETIRED;

    boolean serving() {
        return this == ACTIVE || this == SHADOW;
    }
}
