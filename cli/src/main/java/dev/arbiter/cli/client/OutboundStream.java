package dev.arbiter.cli.client;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The sending side of a client or bidirectional stream with flow control: {@link #send} waits while the transport
 * is not ready, so a large file streams at the pace the service reads it instead of piling up in memory. Answers go
 * to {@code onAnswer} on a gRPC thread; {@link #finish} half-closes and waits for the end of the call.
 *
 * @param <Q> request type
 * @param <A> answer type
 */
public final class OutboundStream<Q, A> implements ClientResponseObserver<Q, A> {

    private final Service service;
    private final Services services;
    private final Consumer<A> onAnswer;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private volatile ClientCallStreamObserver<Q> requests;

    public OutboundStream(Services services, Service service, Consumer<A> onAnswer) {
        this.services = services;
        this.service = service;
        this.onAnswer = onAnswer;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
        this.requests = requestStream;
        requestStream.setOnReadyHandler(this::signal);
    }

    @Override
    public void onNext(A answer) {
        onAnswer.accept(answer);
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(services.error(service, t));
        signal();
    }

    @Override
    public void onCompleted() {
        done.complete(null);
        signal();
    }

    /** Sends one message once the transport can take it; throws the call's error if it already ended. */
    public void send(Q message) {
        lock.lock();
        try {
            while (!requests.isReady() && !done.isDone()) {
                // The ready handler signals; the bounded wait only guards against a signal lost between check and wait.
                ready.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requests.cancel("interrupted", e);
            throw new IllegalStateException("interrupted while sending", e);
        } finally {
            lock.unlock();
        }
        if (done.isDone()) {
            join(); // the service ended the call early: throw its error
            throw services.error(service, io.grpc.Status.INTERNAL
                    .withDescription("the service ended the stream before all messages were sent").asRuntimeException());
        }
        requests.onNext(message);
    }

    /** True once the service has ended the call (with an error or not). */
    public boolean ended() {
        return done.isDone();
    }

    /** Half-closes the stream and waits until the service ends the call; throws its error as a {@link ServiceError}. */
    public void finish() {
        if (!done.isDone()) {
            requests.onCompleted();
        }
        join();
    }

    /** Cancels the call (for example when reading the input failed). */
    public void cancel(String why, Throwable cause) {
        if (!done.isDone()) {
            requests.cancel(why, cause);
        }
    }

    private void join() {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requests.cancel("interrupted", e);
            throw new IllegalStateException("interrupted while waiting for " + service.displayName, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void signal() {
        lock.lock();
        try {
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
