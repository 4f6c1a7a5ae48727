package dev.arbiter.feature.config;

import dev.arbiter.service.FeatureWindows;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything feature-service reads from configuration ({@code arbiter.features.*}). */
@ConfigMapping(prefix = "arbiter.features")
public interface FeatureServiceConfig {

    /**
     * Indicator windows ({@code arbiter.features.windows.*}, shared with optimizer-service and model-service); a change
     * yields a new feature schema id and starts every series afresh.
     */
    FeatureWindows windows();

    /** Most series held at once; one more is refused with RESOURCE_EXHAUSTED. */
    @WithDefault("100000")
    int maxSeries();

    /** Longest accepted series id, in characters. */
    @WithDefault("200")
    int maxSeriesIdLength();

    /** How far an observation's ts_micros may be ahead of the server clock before it is refused. */
    @WithDefault("1d")
    Duration maxFutureSkew();

    /** What to do with an observation older than its series' last: REJECT (INVALID_ARGUMENT) or DROP (answer with the latest features). */
    @WithDefault("reject")
    OutOfOrderPolicy outOfOrder();

    /** Write-behind snapshots of per-series state to Redis. */
    Snapshot snapshot();

    /**
     * Whether several replicas serve the same series, each one's state living in Redis: every accepted observation's
     * new state is written to the snapshot hash (a compare-and-set, see store/SharedSeriesStates) before it is
     * acknowledged, and a series is read from Redis when this replica first sees it or finds its copy outdated. Then a
     * series may move between replicas at any time (decision-service spreads them by rendezvous hashing) and continues
     * bit for bit, and a kill -9 loses nothing acknowledged without the local log. Costs a Redis round trip per
     * observation; off, each replica owns the series routed to it and writes them behind every snapshot interval.
     */
    @WithDefault("false")
    boolean sharded();

    /** The local write-ahead log of accepted observations, replayed after the snapshots at start. */
    Log log();

    interface Log {
        /**
         * Whether each accepted observation is appended to the log before it is acknowledged (then a kill -9 loses
         * nothing acknowledged); off, a crash loses up to one snapshot interval. Needs snapshots on.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * The log's directory (a subdirectory per snapshot key prefix and feature schema id is made in it). On
         * Kubernetes, a volume that outlives the container (an emptyDir survives container restarts, a persistent
         * volume pod moves too).
         */
        @WithDefault("${java.io.tmpdir}/arbiter-feature-log")
        String dir();

        /**
         * Whether every append is also forced to the storage device: survives the machine's crash, not only the
         * process's, at the cost of a device flush per observation.
         */
        @WithDefault("false")
        boolean fsync();
    }

    enum OutOfOrderPolicy {
        REJECT,
        DROP
    }

    interface Snapshot {
        /** Whether per-series state is snapshotted to Redis and restored at start. */
        @WithDefault("true")
        boolean enabled();

        /** Bound on staleness: dirty series are written at least this often (and at shutdown). */
        @WithDefault("1s")
        Duration interval();

        /** Prefix of the Redis keys; the feature schema id is appended, so a new schema never reads old state. */
        @WithDefault("arbiter:features:")
        String keyPrefix();

        /** Expiry of the snapshot hash, refreshed at every write; absent means never. */
        Optional<Duration> ttl();

        /** Series written per Redis command when flushing or restoring. */
        @WithDefault("500")
        int batchSize();
    }
}
