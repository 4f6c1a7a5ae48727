package dev.arbiter.bench.load;

import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fills every series' feature windows before the measured phases: the first observations of a new series have
 * incomplete features (NaN), which the ensemble's ONNX members refuse, so decisions on cold series would be
 * degraded ones and the load would not go through the whole path. Sends {@code perSeries} observations of each series
 * through feature-service's IngestStream, at most {@code WINDOW} unanswered.
 */
final class Prewarm {

    private static final int WINDOW = 256;

    private Prewarm() {
    }

    /** Returns the number of observations feature-service refused (0 when all went in). */
    static long run(ManagedChannel features, Observations observations, long count) throws InterruptedException {
        Semaphore window = new Semaphore(WINDOW);
        AtomicLong refused = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<IngestRequest> requests = FeatureServiceGrpc.newStub(features).ingestStream(new StreamObserver<>() {
            @Override
            public void onNext(IngestResponse r) {
                if (r.hasProblem()) {
                    refused.incrementAndGet();
                }
                window.release();
            }

            @Override
            public void onError(Throwable t) {
                failure.set(t);
                window.release(WINDOW);
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        for (long i = 0; i < count && failure.get() == null; i++) {
            window.acquire();
            requests.onNext(IngestRequest.newBuilder().setObservation(observations.observation(i)).build());
        }
        if (failure.get() == null) {
            requests.onCompleted();
        }
        if (!done.await(5, TimeUnit.MINUTES) || failure.get() != null) {
            throw new IllegalStateException("feature-service's IngestStream failed while pre-warming: " + failure.get());
        }
        return refused.get();
    }
}
