package dev.arbiter.optimizer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.arbiter.proto.v1.CsvColumnMapping;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.MutinyOptimizerServiceGrpc.MutinyOptimizerServiceStub;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.ReadHistoryRequest;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.testing.RefusalAssertions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Multi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.function.Executable;

/** Shared steps of the history tests: streaming a CSV in, reading a series back, asserting refusals. */
final class HistoryCalls {

    private HistoryCalls() {
    }

    /** A fresh series id, so tests never collide with each other or with reruns. */
    static String series(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static byte[] resource(String path) {
        try (InputStream in = HistoryCalls.class.getResourceAsStream(path)) {
            assertNotNull(in, path);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static CsvColumnMapping.Builder columns(String time, String value) {
        return CsvColumnMapping.newBuilder().setTimeColumn(time).setValueColumn(value);
    }

    static ImportHistorySpec.Builder spec(String seriesId, CsvColumnMapping.Builder columns) {
        return ImportHistorySpec.newBuilder().setSeriesId(seriesId).setColumns(columns).setHasHeader(true);
    }

    /** The spec message, then the CSV in chunks of chunkSize bytes. */
    static List<ImportHistoryRequest> parts(ImportHistorySpec spec, byte[] csv, int chunkSize) {
        List<ImportHistoryRequest> parts = new ArrayList<>();
        parts.add(ImportHistoryRequest.newBuilder().setSpec(spec).build());
        for (int i = 0; i < csv.length; i += chunkSize) {
            parts.add(chunk(Arrays.copyOfRange(csv, i, Math.min(csv.length, i + chunkSize))));
        }
        return parts;
    }

    static ImportHistoryRequest chunk(byte[] bytes) {
        return ImportHistoryRequest.newBuilder().setChunk(ByteString.copyFrom(bytes)).build();
    }

    static ImportHistoryResponse importParts(MutinyOptimizerServiceStub stub, List<ImportHistoryRequest> parts) {
        return stub.importHistory(Multi.createFrom().iterable(parts)).await().atMost(Duration.ofSeconds(60));
    }

    /** Imports the bundled half-hourly electricity demand as a new series; answers its id. */
    static String importElectricity(MutinyOptimizerServiceStub stub, String prefix) {
        String id = series(prefix);
        importCsv(stub, spec(id, columns("datetime_local", "demand_mw").setTimeZone("Europe/London")).build(),
                resource("/data/taylor_electricity_halfhourly.csv"));
        return id;
    }

    static ImportHistoryResponse importCsv(MutinyOptimizerServiceStub stub, ImportHistorySpec spec, byte[] csv) {
        return importParts(stub, parts(spec, csv, 64 * 1024));
    }

    static List<Observation> read(OptimizerServiceBlockingStub stub, String seriesId, long start, long end) {
        List<Observation> out = new ArrayList<>();
        stub.readHistory(ReadHistoryRequest.newBuilder().setSeriesId(seriesId)
                        .setRange(TimeRange.newBuilder().setStartTsMicros(start).setEndTsMicros(end)).build())
                .forEachRemaining(r -> out.addAll(r.getObservationsList()));
        return out;
    }

    /** Asserts the call fails with code, says why, and names exactly field in the status details. */
    static StatusRuntimeException refused(Status.Code code, String field, Executable call) {
        return RefusalAssertions.refused(code, field, call);
    }

    static StatusRuntimeException invalid(String field, Executable call) {
        return refused(Status.Code.INVALID_ARGUMENT, field, call);
    }
}
