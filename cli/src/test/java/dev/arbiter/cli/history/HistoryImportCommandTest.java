package dev.arbiter.cli.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.client.Failures;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.ReadHistoryRequest;
import dev.arbiter.proto.v1.ReadHistoryResponse;
import dev.arbiter.proto.v1.RejectedRow;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code history import} refuses before it sends a row, and how it prints rejected rows, against a stand-in
 * optimizer-service on a local port: series "stored" holds history, every other id is unknown, and an import answers
 * with the rejected rows the test sets. The real import is `it/CliIT`'s.
 */
class HistoryImportCommandTest {

    private static final String CSV = "time,value\n2024-01-01T00:00:00Z,1\n";

    private final List<ImportHistorySpec> imports = new CopyOnWriteArrayList<>();
    private volatile List<RejectedRow> rejected = List.of();
    private Server server;
    private String address;

    @BeforeEach
    void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new OptimizerServiceGrpc.OptimizerServiceImplBase() {
                    @Override
                    public void readHistory(ReadHistoryRequest request, StreamObserver<ReadHistoryResponse> answer) {
                        if (!request.getSeriesId().equals("stored")) {
                            answer.onError(Status.NOT_FOUND.withDescription("no history").asRuntimeException());
                            return;
                        }
                        answer.onNext(ReadHistoryResponse.newBuilder()
                                .addObservations(Observation.newBuilder().setSeriesId("stored").setTsMicros(1_700_000_000_000_000L).setValue(1))
                                .build());
                        answer.onCompleted();
                    }

                    @Override
                    public StreamObserver<ImportHistoryRequest> importHistory(StreamObserver<ImportHistoryResponse> answer) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(ImportHistoryRequest r) {
                                if (r.hasSpec()) {
                                    imports.add(r.getSpec());
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                                answer.onNext(ImportHistoryResponse.newBuilder().setSeriesId(imports.get(imports.size() - 1).getSeriesId())
                                        .setRowsRead(rejected.size() + 1L).setRowsImported(1).setRowsRejected(rejected.size())
                                        .addAllRejectedRows(rejected).setSeriesRowCount(1).build());
                                answer.onCompleted();
                            }
                        };
                    }
                })
                .build()
                .start();
        address = "127.0.0.1:" + server.getPort();
    }

    @AfterEach
    void stop() {
        server.shutdownNow();
    }

    private Cli.Result importInto(String series, String... flags) {
        List<String> args = new ArrayList<>(List.of("--optimizer", address, "history", "import", "-", "--series", series));
        args.addAll(List.of(flags));
        return Cli.withStdin(CSV, args.toArray(String[]::new));
    }

    @Test
    void anExistingSeriesIsRefusedWithoutAppendOrReplace() {
        Cli.Result r = importInto("stored");
        assertEquals(Failures.USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("series stored already holds history (from 2023-11-14T22:13:20Z); add --append"), r.err());
        assertEquals(List.of(), imports, "nothing was sent");
    }

    @Test
    void appendAddsToAnExistingSeriesAndANewSeriesNeedsNoFlag() {
        assertEquals(0, importInto("stored", "--append").exitCode());
        assertEquals(0, importInto("stored", "--replace").exitCode());
        assertEquals(0, importInto("fresh").exitCode());
        assertEquals(List.of("stored", "stored", "fresh"), imports.stream().map(ImportHistorySpec::getSeriesId).toList());
        assertTrue(imports.get(0).getAppend(), "--append is the contract's spec.append: the server merges only then");
        assertTrue(imports.get(1).getReplaceExisting());
        assertFalse(imports.get(2).getAppend() || imports.get(2).getReplaceExisting());
        Cli.Result both = importInto("stored", "--append", "--replace");
        assertEquals(Failures.USAGE, both.exitCode(), both.toString());
    }

    @Test
    void rejectedRowsArePrintedOncePerCauseWithACountAndTheFirstLines() {
        List<RejectedRow> rows = new ArrayList<>();
        for (int line = 3; line < 1003; line++) {
            rows.add(RejectedRow.newBuilder().setLineNumber(line).setColumn("value")
                    .setReason("value is -" + line + ".0; values must be positive (the engine takes log returns of them)").build());
        }
        rows.add(RejectedRow.newBuilder().setLineNumber(1003).setColumn("time")
                .setReason("time \"soon\" is not a time; send ISO-8601").build());
        rows.add(RejectedRow.newBuilder().setLineNumber(1004).setColumn("value")
                .setReason("value is NaN; send a finite number").build());
        rejected = rows;
        Cli.Result r = importInto("fresh");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> table = r.out().lines().filter(l -> l.matches("\\d.*")).toList();
        assertEquals(3, table.size(), r.out());
        assertTrue(table.get(0).matches("3, 4, 5, 6, 7, …\\s+1,000\\s+value\\s+value is -3\\.0; values must be positive.*"), r.out());
        assertTrue(table.get(1).matches("1003\\s+1\\s+time\\s+time \"soon\" is not a time.*"), r.out());
        assertTrue(table.get(2).matches("1004\\s+1\\s+value\\s+value is NaN.*"), r.out());
        assertTrue(r.out().contains("rejected rows by cause:"), r.out());
    }
}
