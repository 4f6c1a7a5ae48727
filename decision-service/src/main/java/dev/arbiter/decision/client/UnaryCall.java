package dev.arbiter.decision.client;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** The answer of one asynchronous unary gRPC call as a CompletableFuture. */
final class UnaryCall<T> extends CompletableFuture<T> implements StreamObserver<T> {

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
        // onNext already completed it
    }
}
