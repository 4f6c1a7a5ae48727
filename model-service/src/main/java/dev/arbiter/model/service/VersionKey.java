package dev.arbiter.model.service;

/** Names one model version. */
public record VersionKey(String model, int version) {

    @Override
    public String toString() {
        return model + " v" + version;
    }

    /** The form used in Redis fields and cache keys. */
    public String id() {
        return model + ":" + version;
    }
}
