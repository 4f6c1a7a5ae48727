package dev.arbiter.testing;

import dev.arbiter.service.Answer;
import io.grpc.stub.StreamObserver;
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
        Answer<A> done = new Answer<>();
        StreamObserver<Q> out = open.apply(done);
        for (Q q : requests) {
            out.onNext(q);
        }
        out.onCompleted();
        return done.get(timeoutSeconds, TimeUnit.SECONDS);
    }
}
