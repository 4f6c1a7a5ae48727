package dev.arbiter.service.auth;

import io.quarkus.arc.Unremovable;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * At most {@code arbiter.limits.max-concurrent-calls-per-connection} (default 256) calls at once on one client
 * connection: the gRPC server advertises it as HTTP/2's SETTINGS_MAX_CONCURRENT_STREAMS, so a well-behaved client
 * queues its further calls until one ends, and a client that opens more anyway has them refused (REFUSED_STREAM), so
 * one connection cannot hold every stream the server can serve. A bean of every service: Quarkus applies server
 * builder customizers to its separate gRPC server (the default, Netty through Vert.x), the one every service runs.
 */
@ApplicationScoped
@Unremovable // found by Quarkus' gRPC server through a lookup, never injected
public class StreamLimits implements ServerBuilderCustomizer<VertxServerBuilder> {

    static final int DEFAULT = 256;

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        int max = ConfigProvider.getConfig().getOptionalValue("arbiter.limits.max-concurrent-calls-per-connection", Integer.class)
                .orElse(DEFAULT);
        if (max < 1) {
            throw new IllegalArgumentException("arbiter.limits.max-concurrent-calls-per-connection must be at least 1; got " + max);
        }
        builder.nettyBuilder().maxConcurrentCallsPerConnection(max);
    }
}
