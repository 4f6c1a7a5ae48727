package dev.arbiter.feature.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arbiter.feature.TestSeries;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * At most arbiter.limits.max-concurrent-calls-per-connection calls at once on one connection (service-support's
 * StreamLimits): here 2. With two IngestStreams open on a channel, a third call on it waits (the client queues it, as
 * HTTP/2's MAX_CONCURRENT_STREAMS tells it to) until its deadline; once one stream ends, the next call runs.
 */
@QuarkusTest
@TestProfile(StreamLimitTest.TwoPerConnection.class)
class StreamLimitTest {

    static final TestSeries MSFT = TestSeries.msft();

    public static class TwoPerConnection implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("arbiter.limits.max-concurrent-calls-per-connection", "2");
        }
    }

    @GrpcClient("features")
    Channel channel;

    @Test
    void aThirdCallOnAConnectionWaitsUntilOneOfTwoOpenStreamsEnds() throws Exception {
        List<StreamObserver<IngestRequest>> open = new ArrayList<>();
        List<CompletableFuture<Void>> ended = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            LinkedBlockingQueue<IngestResponse> answers = new LinkedBlockingQueue<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            StreamObserver<IngestRequest> requests = FeatureServiceGrpc.newStub(channel).ingestStream(new StreamObserver<>() {
                @Override
                public void onNext(IngestResponse r) {
                    answers.add(r);
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    done.complete(null);
                }
            });
            requests.onNext(MSFT.request("stream-limit-" + s, 0));
            // answered: the stream is open on the server, holding one of the connection's two slots
            assertEquals(false, answers.poll(30, TimeUnit.SECONDS) == null, "stream " + s + " answered");
            open.add(requests);
            ended.add(done);
        }
        StatusRuntimeException waited = assertThrows(StatusRuntimeException.class, () -> FeatureServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(1, TimeUnit.SECONDS).ingest(MSFT.request("stream-limit-third", 0)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, waited.getStatus().getCode(), "the third call never got a slot");

        open.get(0).onCompleted();
        ended.get(0).get(30, TimeUnit.SECONDS);
        FeatureServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).ingest(MSFT.request("stream-limit-third", 0));
        open.get(1).onCompleted();
        ended.get(1).get(30, TimeUnit.SECONDS);
    }
}
