package dev.arbiter.decision.client;

import dev.arbiter.service.replicas.ReplicaNameResolver;
import dev.arbiter.service.replicas.ReplicaSource;
import dev.arbiter.service.replicas.Replicas;
import dev.arbiter.service.replicas.Rendezvous;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The replicas of one dependency ({@code arbiter.decision.replicas.*}) as channels: either one channel per replica,
 * each key (a series id) sent to the replica rendezvous hashing gives it ({@link #ownerOf}), or one channel over all of
 * them whose calls gRPC's {@code round_robin} spreads ({@link #balanced}). A channel to a replica that left is shut
 * down after a grace period, so that the calls that picked it just before the change still run. The member count is the gauge {@code arbiter.decision.dependency.replicas}.
 */
final class ReplicaChannels implements AutoCloseable {

    private final Replicas replicas;
    /** This service's own token on every call (CallerToken; none when authentication is off). */
    private final ClientInterceptor identity;
    private final ConcurrentHashMap<String, ManagedChannel> perReplica = new ConcurrentHashMap<>();
    private final ManagedChannel balanced;
    /** Channels of replicas that left, open until their grace period ends. */
    private final Set<ManagedChannel> leaving = ConcurrentHashMap.newKeySet();
    /** How long the channel of a replica that left stays open for the calls that picked it before the change. */
    static final Duration LEAVING_GRACE = Duration.ofSeconds(10);

    private ReplicaChannels(String name, String source, Duration refresh, boolean roundRobin, MeterRegistry registry,
                            ClientInterceptor identity) {
        this.identity = identity;
        this.replicas = new Replicas(name, ReplicaSource.parse(source), refresh);
        this.balanced = roundRobin ? roundRobin(replicas, identity) : null;
        if (!roundRobin) {
            replicas.onChange(this::retain);
        }
        Gauge.builder("arbiter.decision.dependency.replicas", replicas, r -> r.members().size())
                .description("Replicas of a dependency decisions are spread over")
                .tag("dependency", name)
                .register(registry);
    }

    /** Channels to each replica of {@code source}, chosen per key. */
    static ReplicaChannels sharded(String name, String source, Duration refresh, MeterRegistry registry, ClientInterceptor identity) {
        return new ReplicaChannels(name, source, refresh, false, registry, identity);
    }

    /** One channel over the replicas of {@code source}, balanced by gRPC's round_robin. */
    static ReplicaChannels roundRobin(String name, String source, Duration refresh, MeterRegistry registry, ClientInterceptor identity) {
        return new ReplicaChannels(name, source, refresh, true, registry, identity);
    }

    @SuppressWarnings("deprecation") // nameResolverFactory: the one way to give a single channel a resolver of its own
    private static ManagedChannel roundRobin(Replicas replicas, ClientInterceptor identity) {
        return NettyChannelBuilder.forTarget("arbiter-replicas:///dependency")
                .nameResolverFactory(ReplicaNameResolver.factory(replicas))
                .defaultLoadBalancingPolicy("round_robin")
                .usePlaintext()
                .intercept(identity)
                .build();
    }

    /** The replica {@code key} belongs to now (HOST:PORT). */
    String ownerOf(String key) {
        return Rendezvous.owner(key, replicas.members());
    }

    /** The channel to one replica. */
    Channel channel(String member) {
        return perReplica.computeIfAbsent(member, this::open);
    }

    /** Calls {@code listener} with the members now and after every change. */
    void onChange(java.util.function.Consumer<List<String>> listener) {
        replicas.onChange(listener);
    }

    /** The round-robin channel ({@link #roundRobin} only). */
    Channel balanced() {
        return balanced;
    }

    List<String> members() {
        return replicas.members();
    }

    private ManagedChannel open(String member) {
        int colon = member.lastIndexOf(':');
        return NettyChannelBuilder.forAddress(member.substring(0, colon), Integer.parseInt(member.substring(colon + 1)))
                .usePlaintext()
                .intercept(identity)
                .build();
    }

    private void retain(List<String> members) {
        perReplica.entrySet().removeIf(e -> {
            if (members.contains(e.getKey())) {
                return false;
            }
            // A decision that picked this replica just before the change may not have started its call yet: a channel
            // shut down now would refuse it ("Channel shutdown invoked") and degrade a decision that could still be
            // served. New calls already go to the new owners; this one closes after a grace period (calls in flight
            // end first).
            ManagedChannel leaving = e.getValue();
            this.leaving.add(leaving);
            CompletableFuture.delayedExecutor(LEAVING_GRACE.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                leaving.shutdown();
                this.leaving.remove(leaving);
            });
            return true;
        });
    }

    @Override
    public void close() {
        replicas.close();
        if (balanced != null) {
            balanced.shutdown();
        }
        perReplica.values().forEach(ManagedChannel::shutdown);
        leaving.forEach(ManagedChannel::shutdown);
        for (ManagedChannel c : perReplica.values()) {
            try {
                c.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
