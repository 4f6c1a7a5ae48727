package dev.arbiter.feature.service;

/** The answer to one ingested observation: the series' features after it, and what happened to it. */
public record IngestResult(FeatureSnapshot features, Outcome outcome) {

    public enum Outcome {
        /** The observation advanced the series. */
        ACCEPTED,
        /** The same timestamp and values were already absorbed; nothing advanced. */
        DUPLICATE,
        /** Older than the series' last observation and dropped by configuration; nothing advanced. */
        DROPPED_OUT_OF_ORDER
    }
}
