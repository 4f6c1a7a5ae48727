package dev.arbiter.cli.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.FakeServer;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.IngestOutcome;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.Problem;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** features ingest against a stand-in FeatureService: every row streamed in order, outcomes counted, refusals by line. */
class FeaturesIngestTest {

    /** Accepts increasing times, answers DUPLICATE for a repeated one and REJECTED for a negative volume. */
    static final class StandIn extends FeatureServiceGrpc.FeatureServiceImplBase {
        @Override
        public StreamObserver<IngestRequest> ingestStream(StreamObserver<IngestResponse> answers) {
            return new StreamObserver<>() {
                long last;
                long count;

                @Override
                public void onNext(IngestRequest r) {
                    var o = r.getObservation();
                    IngestResponse.Builder b = IngestResponse.newBuilder();
                    if (o.hasVolume() && o.getVolume() < 0) {
                        b.setOutcome(IngestOutcome.INGEST_OUTCOME_REJECTED).setProblem(Problem.newBuilder()
                                .setCode(Status.Code.INVALID_ARGUMENT.value()).setField("observation.volume")
                                .setMessage("observation.volume is negative; send a volume >= 0 or omit it"));
                    } else if (o.getTsMicros() == last) {
                        b.setOutcome(IngestOutcome.INGEST_OUTCOME_DUPLICATE);
                    } else {
                        last = o.getTsMicros();
                        count++;
                        b.setOutcome(IngestOutcome.INGEST_OUTCOME_ACCEPTED).setFeatures(FeatureVector.newBuilder()
                                .setSeriesId(o.getSeriesId()).setTsMicros(o.getTsMicros()).setSchemaId("default-v1")
                                .addValues(1).addValues(2).setObservationCount(count).setWarm(count >= 50));
                    }
                    answers.onNext(b.build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    answers.onCompleted();
                }
            };
        }
    }

    @Test
    void streamsEveryRowAndCountsWhatHappenedToThem() throws Exception {
        String rows = IntStream.range(0, 3000).mapToObj(i -> (1_700_000_000 + 60 * i) + "," + (100 + i % 7) + "," + (i == 1234 ? -1 : 5))
                .collect(Collectors.joining("\n", "t,v,vol\n", "\n1700179940,1,1\n"));
        try (FakeServer server = new FakeServer(new StandIn())) {
            Cli.Result r = Cli.withStdin(rows, "features", "ingest", "-", "--series", "s1", "--time-col", "t", "--time-format",
                    "epoch-s", "--value-col", "v", "--volume-col", "vol", "--features", server.address(), "--window", "64");
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("ingested 3,001 observations: 2,999 accepted, 1 duplicates, 0 dropped out of order, 1 refused; 0 rows skipped",
                    r.out().lines().findFirst().orElseThrow());
            assertTrue(r.out().contains("last: s1 at 2023-11-17T00:12:20Z, 2,999 observations absorbed, warm (schema default-v1, 2 features)"),
                    r.out());
            assertTrue(r.err().contains("line 1236: refused (INVALID_ARGUMENT) observation.volume is negative"), r.err());
        }
    }
}
