package dev.arbiter.rules.testing;

import com.google.protobuf.ByteString;
import dev.arbiter.proto.v1.CsvColumnMapping;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.testing.ServiceProcess;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real optimizer-service process (PostgreSQL database arbiter_test, its schema emptied at start, a history root of
 * its own) holding the bundled half-hourly electricity demand (the CLI's demo series, 4,032 rows) as history series
 * {@link #SERIES}, which rule-service backtests proposals on.
 */
public class OptimizerResource implements QuarkusTestResourceLifecycleManager {

    public static final String SERIES = "electricity-rules-" + UUID.randomUUID().toString().substring(0, 8);
    public static volatile ServiceProcess optimizer;

    @Override
    public Map<String, String> start() {
        try {
            Path history = Files.createTempDirectory("arbiter-rules-history-");
            optimizer = ServiceProcess.start("optimizer-service.runner", "rule-service-test-optimizer", new HashMap<>(Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                    "quarkus.flyway.clean-disabled", "false",
                    "quarkus.flyway.clean-at-start", "true",
                    "arbiter.optimizer.history.root", history.toString(),
                    "quarkus.grpc.clients.models.port", "1",
                    "quarkus.grpc.clients.decisions.port", "1")));
            importElectricity();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "quarkus.grpc.clients.optimizer.host", "127.0.0.1",
                "quarkus.grpc.clients.optimizer.port", Integer.toString(optimizer.grpcPort),
                "quarkus.grpc.clients.optimizer.test-port", Integer.toString(optimizer.grpcPort),
                "arbiter.rules.backtest.series", SERIES);
    }

    private static void importElectricity() throws IOException {
        byte[] csv = Files.readAllBytes(Path.of("../cli/src/main/resources/demo/taylor_electricity_halfhourly.csv"));
        CompletableFuture<ImportHistoryResponse> done = new CompletableFuture<>();
        StreamObserver<ImportHistoryRequest> in = OptimizerServiceGrpc.newStub(optimizer.channel).importHistory(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ImportHistoryResponse r) {
                        done.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.completeExceptionally(new IllegalStateException("import ended without a response"));
                    }
                });
        in.onNext(ImportHistoryRequest.newBuilder().setSpec(ImportHistorySpec.newBuilder().setSeriesId(SERIES)
                .setHasHeader(true).setColumns(CsvColumnMapping.newBuilder().setTimeColumn("datetime_local")
                        .setValueColumn("demand_mw").setTimeZone("Europe/London"))).build());
        for (int i = 0; i < csv.length; i += 64 * 1024) {
            in.onNext(ImportHistoryRequest.newBuilder().setChunk(ByteString.copyFrom(Arrays.copyOfRange(csv, i,
                    Math.min(csv.length, i + 64 * 1024)))).build());
        }
        in.onCompleted();
        try {
            ImportHistoryResponse r = done.get(60, TimeUnit.SECONDS);
            if (r.getRowsImported() != 4032) {
                throw new IllegalStateException("imported " + r);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the electricity history was not imported", e);
        }
    }

    @Override
    public void stop() {
        if (optimizer != null) {
            optimizer.close();
        }
    }
}
