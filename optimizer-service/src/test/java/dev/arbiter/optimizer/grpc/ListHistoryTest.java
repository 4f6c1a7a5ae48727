package dev.arbiter.optimizer.grpc;

import static dev.arbiter.optimizer.grpc.HistoryCalls.columns;
import static dev.arbiter.optimizer.grpc.HistoryCalls.importCsv;
import static dev.arbiter.optimizer.grpc.HistoryCalls.invalid;
import static dev.arbiter.optimizer.grpc.HistoryCalls.spec;
import static dev.arbiter.optimizer.grpc.HistoryCalls.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.HistorySeries;
import dev.arbiter.proto.v1.ListHistoryRequest;
import dev.arbiter.proto.v1.ListHistoryResponse;
import dev.arbiter.proto.v1.MutinyOptimizerServiceGrpc.MutinyOptimizerServiceStub;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** ListHistory: ordered by series_id, paged with opaque tokens, with the summary of each series. */
@QuarkusTest
class ListHistoryTest {

    @GrpcClient("optimizer")
    OptimizerServiceBlockingStub optimizer;

    @GrpcClient("optimizer")
    MutinyOptimizerServiceStub mutiny;

    List<HistorySeries> all(int pageSize) {
        List<HistorySeries> out = new ArrayList<>();
        String token = "";
        do {
            ListHistoryResponse page = optimizer.listHistory(ListHistoryRequest.newBuilder().setPageSize(pageSize).setPageToken(token).build());
            assertTrue(page.getSeriesCount() <= (pageSize == 0 ? 50 : pageSize), "at most page_size per page");
            out.addAll(page.getSeriesList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    @Test
    void pagesInSeriesIdOrder() {
        String prefix = "list-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        // imported out of order; "B" sorts before "a" (byte order)
        List<String> ids = List.of(prefix + "c", prefix + "a", prefix + "B", prefix + "d", prefix + "b");
        for (int i = 0; i < ids.size(); i++) {
            StringBuilder csv = new StringBuilder("t,v\n");
            for (int k = 0; k <= i; k++) {
                csv.append(1_700_000_000 + 60 * k).append(',').append(1 + k).append('\n');
            }
            importCsv(mutiny, spec(ids.get(i), columns("t", "v").setTimeFormat(dev.arbiter.proto.v1.CsvTimeFormat.CSV_TIME_FORMAT_EPOCH_SECONDS)).build(), utf8(csv.toString()));
        }
        List<HistorySeries> listed = all(2);
        List<String> order = listed.stream().map(HistorySeries::getSeriesId).toList();
        List<String> sorted = new ArrayList<>(order);
        sorted.sort(String::compareTo);
        assertEquals(sorted, order, "ordered by series_id");
        assertEquals(order.size(), order.stream().distinct().count(), "no series twice");
        List<String> mine = order.stream().filter(s -> s.startsWith(prefix)).toList();
        assertEquals(List.of(prefix + "B", prefix + "a", prefix + "b", prefix + "c", prefix + "d"), mine);

        HistorySeries d = listed.stream().filter(s -> s.getSeriesId().equals(prefix + "d")).findFirst().orElseThrow();
        assertEquals(4, d.getRowCount());
        assertEquals(1_700_000_000_000_000L, d.getRange().getStartTsMicros());
        assertEquals(1_700_000_180_000_001L, d.getRange().getEndTsMicros());
        assertTrue(d.getSizeBytes() > 0);
        assertTrue(d.getUpdatedTsMicros() > 1_700_000_000_000_000L);

        // page_size 0 = the default (50), a huge one is lowered to the maximum (500)
        assertEquals(order, all(0).stream().map(HistorySeries::getSeriesId).toList());
        ListHistoryResponse big = optimizer.listHistory(ListHistoryRequest.newBuilder().setPageSize(Integer.MAX_VALUE).build());
        assertTrue(big.getSeriesCount() <= 500);
    }

    @Test
    void badPagingIsRefused() {
        invalid("page_size", () -> optimizer.listHistory(ListHistoryRequest.newBuilder().setPageSize(-1).build()));
        invalid("page_token", () -> optimizer.listHistory(ListHistoryRequest.newBuilder().setPageToken("not a token!").build()));
        String foreign = Base64.getUrlEncoder().encodeToString("o:10".getBytes());
        invalid("page_token", () -> optimizer.listHistory(ListHistoryRequest.newBuilder().setPageToken(foreign).build()));
    }
}
