package dev.arbiter.service.auth;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A service's own identity on its calls to other services: {@code authorization: Bearer <token>} with the token read
 * from {@code arbiter.auth.token-file} (mounted from a Secret; surrounding white space ignored), on every call.
 * Without the setting, calls carry no token. A global interceptor of every service's gRPC clients (a bean of service-support),
 * and decision-service adds it to the channels it builds itself.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallerToken implements ClientInterceptor {

    private final String header;

    /** From the configuration: {@code arbiter.auth.token-file}, or none. */
    public CallerToken() {
        this(ConfigProvider.getConfig().getOptionalValue("arbiter.auth.token-file", String.class)
                .filter(s -> !s.isBlank()).map(Path::of));
    }

    /** With the token in {@code tokenFile}, or none when empty. */
    public CallerToken(Optional<Path> tokenFile) {
        this.header = tokenFile.map(CallerToken::read).map(t -> BearerAuth.SCHEME + t).orElse(null);
    }

    /** With {@code token} itself (a client's, from its environment), or none when null or blank. */
    public static CallerToken of(String token) {
        return new CallerToken(token == null || token.isBlank() ? null : BearerAuth.SCHEME + token.strip(), true);
    }

    private CallerToken(String header, boolean direct) {
        this.header = header;
    }

    private static String read(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("arbiter.auth.token-file " + file + " is empty; it must hold this service's token");
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("arbiter.auth.token-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Builds the bean as the service starts, so that a missing or broken token file stops the start, not the first call. */
    void atStart(@Observes Startup event) {
        // constructing this bean read the token file
    }

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        if (header == null) {
            return next.newCall(method, options);
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<A> listener, Metadata headers) {
                headers.put(BearerAuth.AUTHORIZATION, header);
                super.start(listener, headers);
            }
        };
    }
}
