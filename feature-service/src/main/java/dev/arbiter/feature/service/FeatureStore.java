package dev.arbiter.feature.service;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.engine.features.FeatureSchema;
import dev.arbiter.feature.config.FeatureServiceConfig;
import dev.arbiter.feature.config.FeatureServiceConfig.OutOfOrderPolicy;
import dev.arbiter.feature.store.SharedSeriesStates;
import dev.arbiter.service.ObservationRules;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Per-series feature state in memory: the service's core. Each series is updated under its own lock,
 * so different series proceed in parallel and one series sees its observations strictly in order.
 */
@ApplicationScoped
public class FeatureStore {

    private final FeatureConfig featureConfig;
    private final FeatureSchema schema;
    private final ObservationRules rules;
    private final OutOfOrderPolicy outOfOrder;
    private final int maxSeries;
    private final ConcurrentHashMap<String, SeriesState> series = new ConcurrentHashMap<>();
    private final AtomicInteger seriesCount = new AtomicInteger();
    private final ThreadLocal<double[]> scratch;
    private final Map<IngestResult.Outcome, Counter> outcomes = new ConcurrentHashMap<>();
    private final Counter rejected;
    private final Timer ingestLatency;
    private volatile boolean ready;
    private volatile boolean closed;
    /** Ingest holds it shared; {@link #close} takes it exclusively, so no update slips past the last snapshot. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    /** The write-ahead log of accepted observations; null when off (or snapshots are off, or series are shared). */
    private final ObservationLog log;
    /** Series state shared with other replicas through Redis; null unless {@code arbiter.features.sharded}. */
    private final SharedSeriesStates shared;
    /** With {@link #shared}: each series this replica has served, with the state it last saw in Redis. */
    private final ConcurrentHashMap<String, SharedSlot> slots = new ConcurrentHashMap<>();

    public FeatureStore(FeatureServiceConfig config, MeterRegistry registry, SharedSeriesStates shared) {
        this.featureConfig = FeatureConfig.fromParameters(config.windows().asParameters());
        this.schema = new FeaturePipeline(featureConfig).schema();
        this.rules = new ObservationRules(config.maxSeriesIdLength(), config.maxFutureSkew());
        this.outOfOrder = config.outOfOrder();
        this.maxSeries = config.maxSeries();
        int width = schema.size();
        this.scratch = ThreadLocal.withInitial(() -> new double[width]);
        Gauge.builder("arbiter.feature.series", seriesCount, AtomicInteger::get)
                .description("Series held in memory")
                .register(registry);
        for (IngestResult.Outcome o : IngestResult.Outcome.values()) {
            outcomes.put(o, Counter.builder("arbiter.feature.observations").tag("outcome", o.name().toLowerCase()).register(registry));
        }
        this.ingestLatency = Timer.builder("arbiter.feature.ingest")
                .description("Time to validate and absorb one observation")
                .publishPercentileHistogram()
                .register(registry);
        this.rejected = Counter.builder("arbiter.feature.observations").tag("outcome", "rejected").register(registry);
        this.shared = config.sharded() ? shared : null;
        // shared series are read from Redis one by one as they arrive: nothing to restore before taking traffic
        this.ready = !config.snapshot().enabled() || config.sharded();
        this.log = !config.sharded() && config.snapshot().enabled() && config.log().enabled()
                ? new ObservationLog(logDir(config, schema.id()), config.log().fsync()) : null;
    }

    /**
     * The log's directory: one per snapshot namespace (the Redis key prefix, whose snapshots it completes) and
     * feature schema, under {@code arbiter.features.log.dir}.
     */
    static java.nio.file.Path logDir(FeatureServiceConfig config, String schemaId) {
        String namespace = config.snapshot().keyPrefix().replaceAll("[^A-Za-z0-9._-]", "_");
        return java.nio.file.Path.of(config.log().dir(), namespace, schemaId);
    }

    public FeatureSchema schema() {
        return schema;
    }

    FeatureConfig featureConfig() {
        return featureConfig;
    }

    /** Absorbs one observation; throws {@link RequestRefused} when it is refused. */
    public IngestResult ingest(Observation o) {
        long start = System.nanoTime();
        try {
            IngestResult result = ingestChecked(o);
            outcomes.get(result.outcome()).increment();
            return result;
        } catch (RequestRefused e) {
            rejected.increment();
            throw e;
        } finally {
            ingestLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private IngestResult ingestChecked(Observation o) {
        gate.readLock().lock();
        try {
            return ingestOpen(o);
        } finally {
            gate.readLock().unlock();
        }
    }

    private IngestResult ingestOpen(Observation o) {
        if (!ready) {
            throw new RequestRefused(
                    Status.Code.UNAVAILABLE,
                    "",
                    closed
                            ? "feature-service is shutting down; retry on another replica or after the restart"
                            : "feature state is still being restored from Redis; retry in a moment");
        }
        rules.validate(o.seriesId(), o.tsMicros(), o.close(), o.open(), o.high(), o.low(), o.volume());
        if (shared != null) {
            return ingestShared(o);
        }
        SeriesState state = series.computeIfAbsent(o.seriesId(), this::newSeries);
        synchronized (state) {
            IngestResult answered = answeredWithoutChange(state, o);
            if (answered != null) {
                return answered;
            }
            if (log != null) {
                try {
                    log.append(o);
                } catch (java.io.IOException e) {
                    throw new RequestRefused(Status.Code.UNAVAILABLE, "", "feature-service cannot write its observation log ("
                            + e.getMessage() + "), so the observation was not accepted; retry, or on another replica");
                }
            }
            state.accept(o, scratch.get());
            return new IngestResult(state.snapshot(schema.id()), IngestResult.Outcome.ACCEPTED);
        }
    }

    /**
     * The answer to an observation that does not advance its series (a repeat of the last, or an older one), or null
     * when it does; refused when it contradicts the series.
     */
    private IngestResult answeredWithoutChange(SeriesState state, Observation o) {
        long last = state.pipeline.lastTsMicros();
        if (o.tsMicros() == last) {
            if (!state.repeats(o)) {
                throw new RequestRefused(
                        Status.Code.ALREADY_EXISTS,
                        "observation.ts_micros",
                        "observation.ts_micros " + o.tsMicros() + " of series \"" + o.seriesId()
                                + "\" was already ingested with different values; send each timestamp once (corrections are not supported)");
            }
            return new IngestResult(state.snapshot(schema.id()), IngestResult.Outcome.DUPLICATE);
        }
        if (o.tsMicros() < last) {
            if (outOfOrder == OutOfOrderPolicy.DROP) {
                return new IngestResult(state.snapshot(schema.id()), IngestResult.Outcome.DROPPED_OUT_OF_ORDER);
            }
            throw RequestRefused.invalid(
                    "observation.ts_micros",
                    "observation.ts_micros " + o.tsMicros() + " of series \"" + o.seriesId() + "\" is older than the series' last ("
                            + last + "); send each series' observations in time order, and skip one that arrives late");
        }
        return null;
    }

    // ---- series shared with other replicas (arbiter.features.sharded) ----

    /** How often an observation is applied again when other replicas keep advancing its series meanwhile. */
    static final int MAX_SHARED_ATTEMPTS = 8;

    /** One shared series as this replica last saw it in Redis; {@code state} is null until it has been read. */
    private static final class SharedSlot {
        SeriesState state;
        String sha = "";
    }

    /**
     * Applies the observation to the series' state as Redis has it: from this replica's copy, and when another
     * replica has written the series since (the compare-and-set fails), from the state it wrote. Blocks on Redis:
     * the gRPC adapter calls it on a worker thread in this mode.
     */
    private IngestResult ingestShared(Observation o) {
        String id = o.seriesId();
        SharedSlot slot = slots.computeIfAbsent(id, k -> {
            newSeries(k); // the cap
            return new SharedSlot();
        });
        synchronized (slot) {
            try {
                if (slot.state == null) {
                    adopt(slot, id, shared.load(schema.id(), id));
                }
                for (int attempt = 1; attempt <= MAX_SHARED_ATTEMPTS; attempt++) {
                    IngestResult answered = answeredWithoutChange(slot.state, o);
                    if (answered != null) {
                        return answered;
                    }
                    slot.state.accept(o, scratch.get());
                    byte[] value = slot.state.encodeAndMarkClean();
                    SharedSeriesStates.Cas cas = shared.compareAndSet(schema.id(), id, slot.sha, value);
                    if (cas.set()) {
                        slot.sha = SharedSeriesStates.sha1(value);
                        return new IngestResult(slot.state.snapshot(schema.id()), IngestResult.Outcome.ACCEPTED);
                    }
                    adopt(slot, id, cas.current()); // another replica advanced it: start again from its state
                }
            } catch (RuntimeException e) {
                if (e instanceof RequestRefused) {
                    throw e;
                }
                slot.state = null; // its copy may hold the observation Redis did not take: read it again next time
                throw new RequestRefused(Status.Code.UNAVAILABLE, "", "feature-service cannot reach the shared series"
                        + " state in Redis (" + e.getMessage() + "), so the observation was not accepted; retry");
            }
            slot.state = null;
            throw new RequestRefused(Status.Code.UNAVAILABLE, "", "series \"" + id + "\" was advanced by other replicas "
                    + MAX_SHARED_ATTEMPTS + " times while this observation was applied; retry");
        }
    }

    private void adopt(SharedSlot slot, String id, byte[] value) {
        slot.state = value == null ? new SeriesState(id, featureConfig) : SeriesState.decode(id, featureConfig, value);
        slot.sha = SharedSeriesStates.sha1(value);
    }

    /** With shared series: the series' latest features as Redis has them, whichever replica wrote them. */
    private Optional<FeatureSnapshot> latestShared(String seriesId) {
        byte[] value = shared.load(schema.id(), seriesId);
        return value == null ? Optional.empty()
                : Optional.of(SeriesState.decode(seriesId, featureConfig, value).snapshot(schema.id()));
    }

    /** Whether series are shared with other replicas through Redis (then the gRPC adapter calls on a worker). */
    public boolean sharded() {
        return shared != null;
    }

    private SeriesState newSeries(String seriesId) {
        if (seriesCount.incrementAndGet() > maxSeries) {
            seriesCount.decrementAndGet();
            throw new RequestRefused(
                    Status.Code.RESOURCE_EXHAUSTED,
                    "observation.series_id",
                    "observation.series_id \"" + seriesId + "\" would be a new series beyond the cap of " + maxSeries
                            + " series this service holds; the series it holds go on, a new one is taken once the service's"
                            + " capacity is raised");
        }
        return new SeriesState(seriesId, featureConfig);
    }

    public Optional<FeatureSnapshot> latest(String seriesId) {
        if (shared != null) {
            return latestShared(seriesId);
        }
        SeriesState state = series.get(seriesId);
        if (state == null) {
            return Optional.empty();
        }
        synchronized (state) {
            return Optional.of(state.snapshot(schema.id()));
        }
    }

    /** Series ordered by id, starting after {@code afterId} (exclusive, null for the first page). */
    public List<FeatureSnapshot> list(String afterId, int limit) {
        List<String> ids = new ArrayList<>(shared != null ? slots.keySet() : series.keySet());
        ids.sort(Comparator.naturalOrder());
        List<FeatureSnapshot> page = new ArrayList<>(Math.min(limit, ids.size()));
        for (String id : ids) {
            if (afterId != null && id.compareTo(afterId) <= 0) {
                continue;
            }
            if (page.size() == limit) {
                break;
            }
            latest(id).ifPresent(page::add);
        }
        return page;
    }

    public int seriesCount() {
        return seriesCount.get();
    }

    public boolean ready() {
        return ready;
    }

    /** Encodes every series changed since its last snapshot, marking each clean. */
    Map<String, byte[]> drainDirty() {
        Map<String, byte[]> out = new HashMap<>();
        for (SeriesState state : series.values()) {
            synchronized (state) {
                if (state.dirty()) {
                    out.put(state.seriesId, state.encodeAndMarkClean());
                }
            }
        }
        return out;
    }

    /** After a failed write: the named series are written again at the next flush. */
    void markDirty(Iterable<String> seriesIds) {
        for (String id : seriesIds) {
            SeriesState state = series.get(id);
            if (state != null) {
                synchronized (state) {
                    state.markDirty();
                }
            }
        }
    }

    /**
     * Installs restored series (only those not already present), replays the observation log over them (each
     * observation newer than its series' state: acknowledged after the series' snapshot), and opens the store for
     * ingest. With {@code possibleGap} (the last process crashed and its log is not here) every restored series is
     * marked as having a gap until its windows cover it. Answers how many logged observations were applied.
     */
    int restore(Map<String, SeriesState> restored, boolean possibleGap) {
        int cover = new FeaturePipeline(featureConfig).warmUpObservations();
        restored.forEach((id, state) -> {
            if (possibleGap) {
                state.markGap(cover);
            }
            if (series.putIfAbsent(id, state) == null) {
                seriesCount.incrementAndGet();
            }
        });
        int[] applied = {0};
        if (log != null) {
            double[] out = scratch.get();
            log.replay(o -> {
                SeriesState state;
                try {
                    state = series.computeIfAbsent(o.seriesId(), this::newSeries);
                } catch (RequestRefused beyondCap) {
                    return;
                }
                synchronized (state) {
                    if (o.tsMicros() > state.pipeline.lastTsMicros()) {
                        state.accept(o, out);
                        applied[0]++;
                    }
                }
            });
        }
        ready = true;
        return applied[0];
    }

    /** The write-ahead log's identity; null without a log. */
    String logId() {
        return log == null ? null : log.id();
    }

    /** Starts a new log segment before a flush drains the series; answers its number (0: no log). */
    long rotateLog() {
        return log == null ? 0 : log.rotate();
    }

    /** After a flush that drained the series once {@code segment} had started: the segments before it are covered. */
    void logCovered(long segment) {
        if (log != null && segment > 0) {
            log.deleteBefore(segment);
        }
    }

    /**
     * Stops accepting observations (they get UNAVAILABLE) and waits for those in progress.
     * Returns whether the store had been open, i.e. whether its state is worth a last snapshot.
     */
    boolean close() {
        gate.writeLock().lock();
        try {
            boolean wasReady = ready;
            ready = false;
            closed = true;
            return wasReady;
        } finally {
            gate.writeLock().unlock();
        }
    }
}
