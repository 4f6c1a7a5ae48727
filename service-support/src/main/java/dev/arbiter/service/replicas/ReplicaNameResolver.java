package dev.arbiter.service.replicas;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds a gRPC channel the members of a {@link Replicas}, so that gRPC's own client-side load balancing
 * ({@code round_robin}) spreads calls over them and follows their changes: one channel per dependency, one
 * subchannel (HTTP/2 connection) per replica.
 */
public final class ReplicaNameResolver extends NameResolver {

    private final Replicas replicas;
    private volatile Listener2 listener;

    private ReplicaNameResolver(Replicas replicas) {
        this.replicas = replicas;
    }

    /** A factory for {@code ManagedChannelBuilder.nameResolverFactory} that resolves any target to {@code replicas}. */
    public static NameResolver.Factory factory(Replicas replicas) {
        return new NameResolver.Factory() {
            @Override
            public NameResolver newNameResolver(java.net.URI targetUri, Args args) {
                return new ReplicaNameResolver(replicas);
            }

            @Override
            public String getDefaultScheme() {
                return "arbiter-replicas";
            }
        };
    }

    @Override
    public String getServiceAuthority() {
        List<String> m = replicas.members();
        return m.isEmpty() ? "replicas" : m.get(0);
    }

    @Override
    public void start(Listener2 listener) {
        this.listener = listener;
        replicas.onChange(this::publish);
    }

    @Override
    public void refresh() {
        replicas.refresh();
        publish(replicas.members());
    }

    private void publish(List<String> members) {
        Listener2 l = listener;
        if (l == null) {
            return;
        }
        List<EquivalentAddressGroup> groups = new ArrayList<>(members.size());
        for (String m : members) {
            int colon = m.lastIndexOf(':');
            groups.add(new EquivalentAddressGroup(
                    new InetSocketAddress(m.substring(0, colon), Integer.parseInt(m.substring(colon + 1)))));
        }
        l.onResult(ResolutionResult.newBuilder().setAddresses(groups).setAttributes(Attributes.EMPTY).build());
    }

    @Override
    public void shutdown() {
        listener = null;
    }
}
