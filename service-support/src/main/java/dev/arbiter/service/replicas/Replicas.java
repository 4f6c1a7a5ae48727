package dev.arbiter.service.replicas;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The current replicas of a service, read from a {@link ReplicaSource} at start and again every refresh interval on a
 * daemon thread. A refresh that fails (DNS down, file being rewritten) keeps the last members and logs why; a refresh
 * that finds no member keeps them too, since routing to nobody helps no one.
 */
public final class Replicas implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Replicas.class);

    private final String name;
    private final ReplicaSource source;
    private final CopyOnWriteArrayList<Consumer<List<String>>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private volatile List<String> members;

    /**
     * Reads the source once (it must name at least one member) and refreshes it every {@code refresh}.
     *
     * @param name what the replicas are, for the log ("feature-service")
     * @throws IllegalArgumentException when the source cannot be read or lists no member at start
     */
    public Replicas(String name, ReplicaSource source, Duration refresh) {
        this.name = name;
        this.source = source;
        List<String> first;
        try {
            first = source.members();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + " replicas: " + e.getMessage(), e);
        }
        if (first.isEmpty()) {
            throw new IllegalArgumentException(name + " replicas: " + source + " lists no member");
        }
        this.members = first;
        LOG.infof("%s replicas from %s: %s", name, source, first);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-replicas");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, refresh.toMillis());
        timer.scheduleWithFixedDelay(this::refresh, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The members now, sorted. */
    public List<String> members() {
        return members;
    }

    /** Calls {@code listener} with the members now and after every change (on the refresh thread). */
    public void onChange(Consumer<List<String>> listener) {
        listeners.add(listener);
        listener.accept(members);
    }

    /** Reads the source now; answers whether the members changed. Public for tests and an operator's nudge. */
    public synchronized boolean refresh() {
        List<String> now;
        try {
            now = source.members();
        } catch (RuntimeException e) {
            LOG.warnf("%s replicas: %s; keeping %s", name, e.getMessage(), members);
            return false;
        }
        if (now.isEmpty()) {
            LOG.warnf("%s replicas: %s lists no member now; keeping %s", name, source, members);
            return false;
        }
        if (now.equals(members)) {
            return false;
        }
        LOG.infof("%s replicas: %s -> %s", name, members, now);
        members = now;
        for (Consumer<List<String>> l : listeners) {
            try {
                l.accept(now);
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s replicas: a listener failed on %s", name, now);
            }
        }
        return true;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
