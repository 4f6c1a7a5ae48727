package dev.arbiter.testing;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Client-streaming calls through plain grpc-java async stubs, as a process-level test client makes them. */
public final class ClientStreams {

    private ClientStreams() {}

    /**
     * Opens the call ({@code stub::method}), sends every request, half-closes and waits for the one answer: the
     * server's status as the {@link java.util.concurrent.ExecutionException}'s cause when it refuses.
     */
    public static <Q, A> A call(Function<StreamObserver<A>, StreamObserver<Q>> open, Iterable<Q> requests,
                                long timeoutSeconds) throws Exception {
        CompletableFuture<A> done = new CompletableFuture<>();
        StreamObserver<Q> out = open.apply(new StreamObserver<>() {
            @Override
            public void onNext(A value) {
                done.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.completeExceptionally(new IllegalStateException("the call completed without an answer"));
            }
        });
        for (Q q : requests) {
            out.onNext(q);
        }
        out.onCompleted();
        return done.get(timeoutSeconds, TimeUnit.SECONDS);
    }
}
