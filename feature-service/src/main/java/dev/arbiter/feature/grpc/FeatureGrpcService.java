package dev.arbiter.feature.grpc;

import dev.arbiter.feature.service.FeatureSnapshot;
import dev.arbiter.feature.service.FeatureStore;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.GetLatestFeaturesRequest;
import dev.arbiter.proto.v1.GetLatestFeaturesResponse;
import dev.arbiter.proto.v1.IngestRequest;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.ListSeriesRequest;
import dev.arbiter.proto.v1.ListSeriesResponse;
import dev.arbiter.proto.v1.MutinyFeatureServiceGrpc;
import dev.arbiter.proto.v1.SeriesInfo;
import dev.arbiter.service.PageTokens;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.Utf8Guard;
import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.List;

/**
 * The FeatureService gRPC adapter. Ingest is a few microseconds of CPU with no I/O, so it runs on
 * the event loop; the stream answers every request in order and turns a refused one into a Problem
 * instead of ending the stream, so nothing accepted before or after it is lost. A refusal of a whole
 * call is thrown: {@link ExceptionStatuses} turns it into its status.
 */
@GrpcService
public class FeatureGrpcService extends MutinyFeatureServiceGrpc.FeatureServiceImplBase {

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;
    private static final String PAGE_KIND = "after";

    private final FeatureStore store;
    private final FeatureSchema schema;

    /** Every request checked for invalid UTF-8 before it is parsed into a message ({@link Utf8Guard}). */
    @Override
    public ServerServiceDefinition bindService() {
        return Utf8Guard.guard(super.bindService());
    }

    public FeatureGrpcService(FeatureStore store) {
        this.store = store;
        this.schema = ProtoMapper.schema(store.schema());
    }

    /**
     * Answers on the event loop, or with series shared through Redis ({@link FeatureStore#sharded}), whose calls wait
     * for Redis, on a worker thread.
     */
    private <T> Uni<T> answer(java.util.function.Supplier<T> work) {
        Uni<T> uni = Uni.createFrom().item(work);
        return store.sharded() ? uni.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : uni;
    }

    @Override
    public Uni<IngestResponse> ingest(IngestRequest request) {
        return answer(() -> ProtoMapper.response(store.ingest(ProtoMapper.observation(request))));
    }

    @Override
    public Multi<IngestResponse> ingestStream(Multi<IngestRequest> requests) {
        Multi<IngestRequest> in = store.sharded() ? requests.emitOn(Infrastructure.getDefaultWorkerPool()) : requests;
        return in.map(request -> {
            try {
                return ProtoMapper.response(store.ingest(ProtoMapper.observation(request)));
            } catch (RequestRefused e) {
                return ProtoMapper.rejected(e);
            }
        });
    }

    @Override
    public Uni<GetLatestFeaturesResponse> getLatestFeatures(GetLatestFeaturesRequest request) {
        String id = request.getSeriesId();
        if (id.isBlank()) {
            throw RequestRefused.invalid("series_id", "series_id is missing; name the series whose features you want");
        }
        return answer(() -> {
            FeatureSnapshot latest = store.latest(id).orElseThrow(() -> RequestRefused.notFound(
                    "series_id", "series \"" + id + "\" has no observations on this instance; ingest one first, or check the id"));
            return GetLatestFeaturesResponse.newBuilder().setFeatures(ProtoMapper.vector(latest)).build();
        });
    }

    @Override
    public Uni<FeatureSchema> getFeatureSchema(GetFeatureSchemaRequest request) {
        return Uni.createFrom().item(schema);
    }

    @Override
    public Uni<ListSeriesResponse> listSeries(ListSeriesRequest request) {
        int size = PageTokens.size(request.getPageSize(), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        String key = PageTokens.after(request.getPageToken(), PAGE_KIND);
        String after = key.isEmpty() ? null : key;
        return answer(() -> listPage(after, size));
    }

    private ListSeriesResponse listPage(String after, int size) {
        List<FeatureSnapshot> page = store.list(after, size);
        ListSeriesResponse.Builder b = ListSeriesResponse.newBuilder().setTotalSeries(store.seriesCount());
        for (FeatureSnapshot s : page) {
            b.addSeries(SeriesInfo.newBuilder()
                    .setSeriesId(s.seriesId())
                    .setLastTsMicros(s.tsMicros())
                    .setObservationCount(s.observationCount()));
        }
        if (page.size() == size) {
            b.setNextPageToken(PageTokens.next(PAGE_KIND, page.get(page.size() - 1).seriesId()));
        }
        return b.build();
    }

}
