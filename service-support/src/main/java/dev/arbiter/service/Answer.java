package dev.arbiter.service;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * The one answer of a gRPC call (unary, or client-streaming) as a CompletableFuture: pass it as the call's response
 * observer. It completes with the answer, or exceptionally with the call's error, or when the call ends without an
 * answer.
 */
public final class Answer<T> extends CompletableFuture<T> implements StreamObserver<T> {

    @Override
    public void onNext(T value) {
        complete(value);
    }

    @Override
    public void onError(Throwable t) {
        completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        // after onNext a no-op: the future is already complete
        completeExceptionally(new IllegalStateException("the call completed without an answer"));
    }
}
