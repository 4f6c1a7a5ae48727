package dev.arbiter.decision.client;

import dev.arbiter.service.replicas.ReplicaNameResolver;
import dev.arbiter.service.replicas.ReplicaSource;
import dev.arbiter.service.replicas.Replicas;
import dev.arbiter.service.replicas.Rendezvous;
import dev.arbiter.service.tls.ClientTls;
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
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The replicas of one dependency ({@code arbiter.decision.replicas.*}) as channels: either one channel per replica,
 * each key (a series id) sent to the replica rendezvous hashing gives it ({@link #ownerOf}), or one channel over all of
 * them whose calls gRPC's {@code round_robin} spreads ({@link #balanced}). A channel to a replica that left is shut
 * down after a grace period, so that the calls that picked it just before the change still run. The member count is the gauge {@code arbiter.decision.dependency.replicas}.
 */
final class ReplicaChannels implements AutoCloseable {

    private final Replicas replicas;
    /** The dependency's name, which its replicas' certificates carry. */
    private final String name;
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
        this.name = name;
        this.replicas = new Replicas(name, ReplicaSource.parse(source), refresh);
        this.balanced = roundRobin ? roundRobin(name, replicas, identity) : null;
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
    private static ManagedChannel roundRobin(String name, Replicas replicas, ClientInterceptor identity) {
        return secured(NettyChannelBuilder.forTarget("arbiter-replicas:///dependency", ClientTls.credentials(ConfigProvider.getConfig())), name)
                .nameResolverFactory(ReplicaNameResolver.factory(replicas))
                .defaultLoadBalancingPolicy("round_robin")
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
        return secured(NettyChannelBuilder.forAddress(member.substring(0, colon), Integer.parseInt(member.substring(colon + 1)),
                        ClientTls.credentials(ConfigProvider.getConfig())), name)
                .intercept(identity)
                .build();
    }

    /**
     * With TLS on, every replica's certificate is checked against the host decision-service's Quarkus client of that
     * dependency names ({@code quarkus.grpc.clients.features.host}, {@code ...models.host}: the dependency's Service),
     * not the address a replica is listed under (a pod's IP), which no certificate carries.
     */
    private static NettyChannelBuilder secured(NettyChannelBuilder builder, String name) {
        org.eclipse.microprofile.config.Config config = ConfigProvider.getConfig();
        if (config.getOptionalValue("arbiter.tls.plaintext", Boolean.class).orElse(false)) {
            return builder;
        }
        String client = FeatureClient.NAME.equals(name) ? "features" : "models";
        return builder.overrideAuthority(config.getOptionalValue("quarkus.grpc.clients." + client + ".host", String.class).orElse(name));
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
