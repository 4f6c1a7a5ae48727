package dev.arbiter.service;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import java.util.concurrent.CompletionException;

/**
 * The one place a service maps exceptions to gRPC statuses: a {@link RequestRefused} thrown anywhere in a call (or
 * failing its Uni or Multi) becomes {@link RequestRefused#asStatus()}, with the field in the status details; a status
 * passes as it is; anything else goes to {@link #unexpected}, which by default maps it as Quarkus would.
 *
 * <p>Plain Java: each service registers it with a one-line {@code @ApplicationScoped} subclass in its {@code grpc}
 * package, which replaces Quarkus' default provider.
 */
public class RefusalStatuses implements ExceptionHandlerProvider {

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(
            ServerCall.Listener<ReqT> listener, ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable t, ServerCall<ReqT, RespT> call, Metadata metadata) {
                StatusRuntimeException s = (StatusRuntimeException) transform(t);
                try {
                    call.close(s.getStatus(), s.getTrailers() != null ? s.getTrailers() : new Metadata());
                } catch (IllegalStateException e) {
                    if (!"Already closed".equals(e.getMessage())) {
                        throw e;
                    }
                }
            }
        };
    }

    /** The status a failure of a call is answered with: always a StatusRuntimeException. */
    @Override
    public Throwable transform(Throwable t) {
        Throwable e = t;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof RequestRefused r) {
            return r.asStatus();
        }
        if (backingStoreBusy(e)) {
            return io.grpc.Status.UNAVAILABLE.withDescription("a backing store (Redis or PostgreSQL) is overloaded or"
                    + " unreachable (" + e.getMessage() + "); retry").withCause(e).asRuntimeException();
        }
        return ExceptionHandlerProvider.toStatusException(unexpected(e), true);
    }

    /**
     * Whether the failure is a connection to a backing store that could not be had in time: its pool's wait queue full
     * (Vert.x' ConnectionPoolTooBusyException, which the Redis client throws), a refused connection or a timeout.
     * Transient, so UNAVAILABLE (retry) rather than UNKNOWN.
     */
    static boolean backingStoreBusy(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String name = c.getClass().getName();
            if (c instanceof java.net.ConnectException || c instanceof java.util.concurrent.TimeoutException
                    || name.equals("io.vertx.core.http.ConnectionPoolTooBusyException")
                    || name.equals("io.smallrye.mutiny.TimeoutException")) {
                return true;
            }
        }
        return false;
    }

    /** A failure that is neither a refusal nor a status: a subclass may log it or word it; by default it is kept. */
    protected Throwable unexpected(Throwable e) {
        return e;
    }
}
