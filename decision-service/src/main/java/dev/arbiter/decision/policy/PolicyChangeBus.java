package dev.arbiter.decision.policy;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Change notices of the live policy between replicas over Redis pub/sub. A notice only says "something changed"
 * (its kind and version are for the log); whoever receives one re-reads the live state from PostgreSQL, so a
 * notice can never carry a stale or partial policy. A replica ignores its own notices.
 */
public final class PolicyChangeBus {

    private static final Logger LOG = Logger.getLogger(PolicyChangeBus.class);

    private final PubSubCommands<String> pubsub;
    private final String channel;
    private final String origin = UUID.randomUUID().toString();
    private final Runnable onChange;
    private PubSubCommands.RedisSubscriber subscriber;

    PolicyChangeBus(RedisDataSource redis, String redisPrefix, Runnable onChange) {
        this.pubsub = redis.pubsub(String.class);
        this.channel = redisPrefix + "policy";
        this.onChange = onChange;
    }

    /** Subscribes; returns once Redis confirmed the subscription, so no later notice is missed. */
    void subscribe() {
        subscriber = pubsub.subscribe(channel, this::received);
    }

    void unsubscribe() {
        if (subscriber != null) {
            subscriber.unsubscribe();
            subscriber = null;
        }
    }

    /** Tells the other replicas; a failure is logged, not thrown: they also re-read on their reload interval. */
    void publish(String kind, int version) {
        try {
            pubsub.publish(channel, origin + " " + kind + " " + version);
        } catch (RuntimeException e) {
            LOG.warnf("could not publish the %s change (version %d) on Redis (%s); other replicas pick it up on their next periodic reload",
                    kind, version, e.getMessage());
        }
    }

    private void received(String message) {
        if (message.startsWith(origin + " ")) {
            return;
        }
        LOG.infof("policy change from another replica: %s", message.substring(message.indexOf(' ') + 1));
        // Reading PostgreSQL blocks: never on the Redis event loop.
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                onChange.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "could not reload the live policy after a change from another replica");
            }
        });
    }
}
