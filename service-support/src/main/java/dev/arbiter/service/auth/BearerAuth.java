package dev.arbiter.service.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Every call's bearer token checked against the service's {@link Tokens} and the RPC's allowed roles
 * ({@link MethodRoles}), before the service sees the call (auth.proto states the rules for clients). Off when
 * {@code arbiter.auth.tokens-file} is not set (development, tests, the local demo); the Helm chart always sets it.
 * {@code grpc.health.v1.Health} is always open, for probes. A refused call is closed with UNAUTHENTICATED or
 * PERMISSION_DENIED; the token is never logged or echoed. A global interceptor of every service (a bean of
 * service-support, whose beans.xml makes its beans discovered).
 */
@GlobalInterceptor
@ApplicationScoped
public class BearerAuth implements ServerInterceptor {

    /** The metadata header, and its scheme. */
    public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final String SCHEME = "Bearer ";
    /** The caller of the current call (null when authentication is off), for audit fields; no service reads it yet. */
    public static final Context.Key<Tokens.Identity> CALLER = Context.key("arbiter-caller");

    private static final Logger LOG = Logger.getLogger(BearerAuth.class);

    private final Tokens tokens;
    private final MethodRoles roles = new MethodRoles();
    private final AdminRateLimit adminLimit;

    /**
     * From the configuration: {@code arbiter.auth.tokens-file} (or off), and the admin RPCs' limit per client,
     * {@code arbiter.limits.admin-per-minute} (default 300) after {@code arbiter.limits.admin-burst} (default 50).
     */
    public BearerAuth() {
        this(ConfigProvider.getConfig().getOptionalValue("arbiter.auth.tokens-file", String.class)
                .filter(s -> !s.isBlank()).map(Path::of),
                new AdminRateLimit(ConfigProvider.getConfig().getOptionalValue("arbiter.limits.admin-per-minute", Double.class).orElse(300.0),
                        ConfigProvider.getConfig().getOptionalValue("arbiter.limits.admin-burst", Integer.class).orElse(50), System::nanoTime));
    }

    /** With the tokens in {@code tokensFile}, or off when empty, and the admin RPCs' limit. */
    public BearerAuth(Optional<Path> tokensFile, AdminRateLimit adminLimit) {
        this.adminLimit = adminLimit;
        this.tokens = tokensFile.map(Tokens::read).orElse(null);
        if (tokens == null) {
            LOG.warn("authentication is off (arbiter.auth.tokens-file is not set): every RPC is open to whoever reaches the port");
        } else {
            LOG.infof("authentication on: %d tokens from %s", tokens.size(), tokensFile.get());
        }
    }

    /** Whether calls are checked. */
    public boolean enabled() {
        return tokens != null;
    }

    /** Builds the bean as the service starts, so that a missing or broken tokens file stops the start, not the first call. */
    void atStart(@Observes Startup event) {
        // constructing this bean read the tokens file
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (service != null && service.startsWith("grpc.health.v1.")) {
            return next.startCall(call, headers);
        }
        if (tokens == null) {
            String refusal = overAdminLimit(call, roles.of(call.getMethodDescriptor()), host(call));
            return refusal == null ? next.startCall(call, headers) : refuse(call, Status.RESOURCE_EXHAUSTED.withDescription(refusal));
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        String header = headers.get(AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(method + " needs the metadata header 'authorization: Bearer"
                    + " <token>'" + (header == null ? "; the call had none" : "; the call's header is not a Bearer token")));
        }
        Tokens.Identity caller = tokens.find(header.substring(SCHEME.length()).strip());
        if (caller == null) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("the bearer token of this call is not known here (revoked, mistyped"
                    + " or for another installation): ask the operator for a token"));
        }
        Set<String> admits = roles.of(call.getMethodDescriptor());
        Set<String> required = admits.isEmpty() ? Set.of("read") : admits; // reflection and the like: read
        if (required.stream().noneMatch(caller.roles()::contains)) {
            LOG.debugf("%s refused to %s (roles %s)", method, caller.name(), caller.roles());
            return refuse(call, Status.PERMISSION_DENIED.withDescription(method + " admits the role" + (required.size() > 1 ? "s " : " ")
                    + String.join(" or ", new TreeSet<>(required)) + "; the token '" + caller.name() + "' holds "
                    + (caller.roles().isEmpty() ? "none" : String.join(", ", new TreeSet<>(caller.roles())))));
        }
        String refusal = overAdminLimit(call, admits, caller.name());
        if (refusal != null) {
            return refuse(call, Status.RESOURCE_EXHAUSTED.withDescription(refusal));
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
    }

    /** The caller's host, without the port (a client's connections share one limit). */
    private static String host(ServerCall<?, ?> call) {
        java.net.SocketAddress a = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        return a instanceof java.net.InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    /** Null when {@code client} may make this call now; else why not and when to retry (admin RPCs only). */
    private String overAdminLimit(ServerCall<?, ?> call, Set<String> admits, String client) {
        if (!admits.contains("admin")) {
            return null;
        }
        long waitNanos = adminLimit.take(client);
        if (waitNanos == 0) {
            return null;
        }
        return call.getMethodDescriptor().getFullMethodName() + ": changes are limited to " + adminLimit.describe()
                + " per client; retry in " + Math.max(1, waitNanos / 1_000_000) + " ms";
    }

    private static <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
