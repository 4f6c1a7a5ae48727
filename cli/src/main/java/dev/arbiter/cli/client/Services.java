package dev.arbiter.cli.client;

import dev.arbiter.service.auth.CallerToken;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The channels to the services, opened on first use and closed when the command ends, and the stubs over them, each
 * with its deadline: {@code callTimeout} for request/answer calls, {@code streamTimeout} for streams (imports,
 * training, backtests, decisions over a file), where zero means none (a live feed on standard input).
 */
public final class Services implements AutoCloseable {

    /** Large enough for a backtest report with many folds; the services send far less. */
    private static final int MAX_INBOUND_BYTES = 64 * 1024 * 1024;

    private final Map<Service, HostPort> addresses;
    private final Duration callTimeout;
    private final Duration streamTimeout;
    private final Map<Service, ManagedChannel> channels = new EnumMap<>(Service.class);
    /** The caller's token on every call (auth.proto), or none. */
    private final ClientInterceptor token;
    /** Plaintext, or mutual TLS with the caller's certificate (service-support tls/ClientTls). */
    private final ChannelCredentials credentials;

    public Services(Map<Service, HostPort> addresses, Duration callTimeout, Duration streamTimeout) {
        this(addresses, callTimeout, streamTimeout, CallerToken.of(null), InsecureChannelCredentials.create());
    }

    public Services(Map<Service, HostPort> addresses, Duration callTimeout, Duration streamTimeout, ClientInterceptor token,
                    ChannelCredentials credentials) {
        this.addresses = new EnumMap<>(addresses);
        this.callTimeout = callTimeout;
        this.streamTimeout = streamTimeout;
        this.token = token;
        this.credentials = credentials;
    }

    public HostPort address(Service service) {
        return addresses.get(service);
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    /**
     * Channels to other addresses with the same deadlines and token, plaintext: the services the demo started on free
     * ports of this machine's loopback (service-support LocalService runs them without TLS).
     */
    public Services at(Map<Service, HostPort> otherAddresses) {
        return new Services(otherAddresses, callTimeout, streamTimeout, token, InsecureChannelCredentials.create());
    }

    /** The channel to a service; grpc-netty is the transport Quarkus' gRPC extension puts on the classpath. */
    public synchronized ManagedChannel channel(Service service) {
        return channels.computeIfAbsent(service, s -> NettyChannelBuilder
                .forAddress(address(s).host(), address(s).port(), credentials)
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .userAgent("arbiter-cli")
                .intercept(token)
                .build());
    }

    /** A stub for one request/answer call, with the call deadline; make a new one per call. */
    public <T extends AbstractStub<T>> T unary(Service service, Function<Channel, T> stub) {
        return stub.apply(channel(service)).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A stub for one streaming call, with the stream deadline (none when it is zero); make a new one per call. */
    public <T extends AbstractStub<T>> T streaming(Service service, Function<Channel, T> stub) {
        T s = stub.apply(channel(service));
        return streamTimeout.isZero() ? s : s.withDeadlineAfter(streamTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs calls to one service; a status other than OK becomes a {@link ServiceError} that knows the service. */
    public <T> T call(Service service, Supplier<T> work) {
        try {
            return work.get();
        } catch (StatusRuntimeException e) {
            throw error(service, e);
        }
    }

    /** The {@link ServiceError} for a failure of a call to {@code service} (as an async observer receives it). */
    public ServiceError error(Service service, Throwable failure) {
        if (failure instanceof ServiceError e) {
            return e;
        }
        return new ServiceError(service, address(service), Status.fromThrowable(failure));
    }

    @Override
    public synchronized void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels.values()) {
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        channels.clear();
    }
}
