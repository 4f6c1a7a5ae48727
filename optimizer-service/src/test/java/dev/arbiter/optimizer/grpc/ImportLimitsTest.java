package dev.arbiter.optimizer.grpc;

import static dev.arbiter.optimizer.grpc.HistoryCalls.columns;
import static dev.arbiter.optimizer.grpc.HistoryCalls.importParts;
import static dev.arbiter.optimizer.grpc.HistoryCalls.invalid;
import static dev.arbiter.optimizer.grpc.HistoryCalls.parts;
import static dev.arbiter.optimizer.grpc.HistoryCalls.refused;
import static dev.arbiter.optimizer.grpc.HistoryCalls.series;
import static dev.arbiter.optimizer.grpc.HistoryCalls.spec;
import static dev.arbiter.optimizer.grpc.HistoryCalls.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.optimizer.history.TempHistoryRoot;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.MutinyOptimizerServiceGrpc.MutinyOptimizerServiceStub;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * ImportHistory on a server configured tighter than the tests' default: server-file imports switched off (no
 * import root) and a 1,024-byte limit per import, so a streamed CSV that announces no size is stopped when its bytes
 * pass the limit. Both refuse the import and store nothing.
 */
@QuarkusTest
@TestProfile(ImportLimitsTest.Limits.class)
@QuarkusTestResource(TempHistoryRoot.class)
class ImportLimitsTest {

    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "arbiter.optimizer.history.import-root", "",
                    "arbiter.optimizer.history.max-import-bytes", "1024");
        }
    }

    @GrpcClient("optimizer")
    MutinyOptimizerServiceStub mutiny;

    @Inject
    HistoryStore store;

    @Test
    void serverFileImportsAreRefusedWhenNoImportRootIsSet() {
        String id = series("no-root");
        var e = refused(Status.Code.FAILED_PRECONDITION, "spec.server_path", () -> importParts(mutiny, List.of(
                ImportHistoryRequest.newBuilder().setSpec(spec(id, columns("t", "v")).setServerPath("any.csv")).build())));
        assertTrue(e.getStatus().getDescription().contains("stream the CSV as chunks instead"), e.getStatus().getDescription());
        assertFalse(store.exists(id));
    }

    @Test
    void aStreamedCsvPastTheImportLimitIsRefusedEvenWithoutADeclaredSize() {
        String id = series("over-limit");
        byte[] csv = utf8(IntStream.range(0, 60).mapToObj(i -> "2024-03-01T00:" + String.format("%02d", i) + ":00Z,1.5")
                .collect(Collectors.joining("\n", "t,v\n", "\n")));
        assertTrue(csv.length > 1024, "over the limit: " + csv.length);
        var e = invalid("chunk", () -> importParts(mutiny, parts(spec(id, columns("t", "v")).build(), csv, 256)));
        assertTrue(e.getStatus().getDescription().contains("over the limit of 1024 bytes"), e.getStatus().getDescription());
        assertFalse(store.exists(id), "nothing of the refused import is stored");

        // Within the limit, the same kind of CSV imports.
        byte[] small = utf8("t,v\n2024-03-01T00:00:00Z,1.5\n2024-03-01T00:01:00Z,1.6\n");
        assertEquals(2, importParts(mutiny, parts(spec(id, columns("t", "v")).build(), small, 256)).getRowsImported());
    }
}
