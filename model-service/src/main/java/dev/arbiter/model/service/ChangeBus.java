package dev.arbiter.model.service;

import dev.arbiter.model.config.ModelServiceConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Change notifications between replicas over Redis pub/sub: a version's status, an ensemble's
 * definition, an ensemble's weights, a version's drift reference. A message is "origin kind name [version]"; a replica ignores its own.
 */
@ApplicationScoped
public class ChangeBus {

    private static final Logger LOG = Logger.getLogger(ChangeBus.class);

    public enum Kind {
        VERSION,
        ENSEMBLE,
        WEIGHTS,
        /** A version's shared drift reference was reset. */
        DRIFT_REFERENCE
    }

    /** A change made on another replica. */
    public record Change(Kind kind, String name, int version) {}

    private final PubSubCommands<String> pubsub;
    private final String channel;
    private final String origin = UUID.randomUUID().toString();
    private volatile Consumer<Change> handler = c -> {};
    private PubSubCommands.RedisSubscriber subscriber;

    public ChangeBus(RedisDataSource redis, ModelServiceConfig config) {
        this.pubsub = redis.pubsub(String.class);
        this.channel = config.redisPrefix() + "changes";
    }

    /**
     * Subscribes before anything else starts (models preload for seconds, and the gRPC server may already
     * answer meanwhile): a change published during startup must not be missed. Plans and weights are
     * read lazily, so nothing cached before the subscription can be stale.
     */
    void onStart(@Observes @Priority(1) StartupEvent event) {
        subscriber = pubsub.subscribe(channel, this::received);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.unsubscribe();
        }
    }

    /** Who handles changes from other replicas (set once by {@link ModelLifecycle}). */
    void onChange(Consumer<Change> handler) {
        this.handler = handler;
    }

    public void publish(Kind kind, String name, int version) {
        pubsub.publish(channel, origin + " " + kind + " " + name + " " + version);
    }

    private void received(String message) {
        String[] p = message.split(" ");
        if (p.length != 4 || p[0].equals(origin)) {
            return;
        }
        Change change = new Change(Kind.valueOf(p[1]), p[2], Integer.parseInt(p[3]));
        if (change.kind() != Kind.WEIGHTS) {
            LOG.infof("change from another replica: %s", change);
        }
        // Loading a model or reading PostgreSQL blocks: never on the Redis event loop.
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                handler.accept(change);
            } catch (RuntimeException e) {
                LOG.errorf(e, "could not apply %s from another replica", change);
            }
        });
    }
}
