package dev.arbiter.feature.service;

import dev.arbiter.feature.config.FeatureServiceConfig;
import dev.arbiter.feature.store.RedisSnapshotStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Write-behind persistence of series state: restores every series of the current schema at start and replays the
 * observation log over them ({@link ObservationLog}: what was acknowledged after the snapshots), then writes the
 * series that changed every {@code snapshot.interval} (rotating the log, whose older segments each saved snapshot
 * covers) and once more at shutdown.
 */
@ApplicationScoped
public class SnapshotWriter {

    private static final Logger LOG = Logger.getLogger(SnapshotWriter.class);

    private final FeatureStore store;
    private final RedisSnapshotStore redis;
    private final FeatureServiceConfig.Snapshot config;
    private ScheduledExecutorService timer;

    public SnapshotWriter(FeatureStore store, RedisSnapshotStore redis, FeatureServiceConfig config) {
        this.store = store;
        this.redis = redis;
        this.config = config.snapshot();
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled() || store.sharded()) {
            return; // shared series are written before each acknowledgement and read as they arrive
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "feature-snapshots");
            t.setDaemon(true);
            return t;
        });
        // The first restore runs before the gRPC server takes traffic; if Redis is down, the timer retries it.
        tick();
        long periodMillis = Math.max(1, config.interval().toMillis());
        timer.scheduleWithFixedDelay(this::tick, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer == null) {
            store.close(); // refuse what still arrives (UNAVAILABLE: retry elsewhere) and let what is in progress end
            return;
        }
        timer.shutdown();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Refuse new observations first, so that every acknowledged one is in the last snapshot.
        if (store.close()) {
            flush();
            redis.setOwner(store.schema().id(), store.logId(), true);
        }
    }

    /** Restores until Redis answers once, then flushes. */
    private synchronized void tick() {
        try {
            if (!store.ready()) {
                restore();
            } else {
                flush();
            }
        } catch (RuntimeException e) {
            LOG.warnf("feature snapshots: %s (will retry in %s)", e.getMessage(), config.interval());
        }
    }

    private void restore() {
        String schemaId = store.schema().id();
        Map<String, byte[]> snapshots = redis.loadAll(schemaId);
        Map<String, SeriesState> usable = new java.util.HashMap<>();
        snapshots.forEach((id, bytes) -> {
            try {
                usable.put(id, SeriesState.decode(id, store.featureConfig(), bytes));
            } catch (RuntimeException e) {
                LOG.errorf("feature snapshots: series \"%s\" cannot be restored and starts afresh: %s", id, e.getMessage());
            }
        });
        // The last writer crashed (it did not mark its stop clean) and its log is not this one: what it acknowledged
        // after its last snapshot is lost, so each restored series may have a gap.
        String owner = redis.owner(schemaId);
        String logId = store.logId();
        boolean possibleGap = owner != null && owner.startsWith("running ")
                && (logId == null || !owner.equals("running " + logId));
        // marked running before the store opens: a crash from here on is seen by the next process
        redis.setOwner(schemaId, logId, false);
        int replayed = store.restore(usable, possibleGap);
        LOG.infof("feature snapshots: restored %d series of schema %s from %s, then %d observations from the log", usable.size(),
                schemaId, redis.key(schemaId), replayed);
        if (possibleGap) {
            LOG.warnf("feature snapshots: the last writer of %s (%s) stopped without a clean shutdown and its log is not"
                    + " here; each restored series is marked with a possible gap until its windows cover it", redis.key(schemaId), owner);
        }
    }

    /** Writes every dirty series now. Public so that tests and shutdown can force it. */
    public synchronized void flush() {
        // Observations appended from here go to a new log segment; every one appended before is in the series'
        // state once its lock is released, so the drain below holds it and, once saved, the older segments can go.
        long segment = store.rotateLog();
        Map<String, byte[]> dirty = store.drainDirty();
        try {
            redis.save(store.schema().id(), dirty);
        } catch (RuntimeException e) {
            store.markDirty(dirty.keySet());
            throw e;
        }
        store.logCovered(segment);
    }
}
