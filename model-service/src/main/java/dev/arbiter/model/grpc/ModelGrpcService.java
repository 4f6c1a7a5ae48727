package dev.arbiter.model.grpc;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.model.drift.DriftProtoMapper;
import dev.arbiter.model.service.DriftQueries;
import dev.arbiter.model.service.EnsembleService;
import dev.arbiter.model.service.ModelInfo;
import dev.arbiter.model.service.ModelLifecycle;
import dev.arbiter.model.service.ModelRegistry;
import dev.arbiter.model.service.OutcomeService;
import dev.arbiter.model.service.PredictionResult;
import dev.arbiter.model.service.Predictor;
import dev.arbiter.model.service.VersionInfo;
import dev.arbiter.model.service.VersionKey;
import dev.arbiter.model.service.VersionStatus;
import dev.arbiter.model.service.WeightStore;
import dev.arbiter.proto.v1.*;
import dev.arbiter.service.PageTokens;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.Utf8Guard;
import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.List;
import java.util.function.Supplier;

/** The ModelService gRPC adapter. Everything here may touch PostgreSQL or Redis, so it runs on worker threads. */
@GrpcService
public class ModelGrpcService extends MutinyModelServiceGrpc.ModelServiceImplBase {

    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 500;

    private final ModelServiceConfig config;
    private final ModelRegistry registry;
    private final ModelLifecycle lifecycle;
    private final EnsembleService ensembles;
    private final Predictor predictor;
    private final OutcomeService outcomes;
    private final WeightStore weights;
    private final DriftQueries driftQueries;

    public ModelGrpcService(
            ModelServiceConfig config,
            ModelRegistry registry,
            ModelLifecycle lifecycle,
            EnsembleService ensembles,
            Predictor predictor,
            OutcomeService outcomes,
            WeightStore weights,
            DriftQueries driftQueries) {
        this.config = config;
        this.registry = registry;
        this.lifecycle = lifecycle;
        this.ensembles = ensembles;
        this.predictor = predictor;
        this.outcomes = outcomes;
        this.weights = weights;
        this.driftQueries = driftQueries;
    }

    /** Runs the work on this worker thread (the methods are @Blocking); {@link ExceptionStatuses} maps a refusal to its status. */
    private static <T> Uni<T> call(Supplier<T> work) {
        return Uni.createFrom().item(work);
    }

    /** Every request checked for invalid UTF-8 before it is parsed into a message ({@link Utf8Guard}). */
    @Override
    public ServerServiceDefinition bindService() {
        return Utf8Guard.guard(super.bindService());
    }

    @Override
    public Uni<ModelVersion> uploadModel(Multi<UploadModelRequest> request) {
        UploadAssembler upload = new UploadAssembler(registry, config);
        return request.collect().in(() -> upload, UploadAssembler::accept)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(u -> ProtoMapper.version(u.register()));
    }

    @Override
    @Blocking
    public Uni<ListModelsResponse> listModels(ListModelsRequest request) {
        return call(() -> {
            Page page = Page.of(request.getPageSize(), request.getPageToken());
            List<ModelInfo> all = registry.models();
            ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
            for (ModelInfo m : page.slice(all)) {
                b.addModels(ProtoMapper.model(m, registry.versions(m.name())));
            }
            return b.setNextPageToken(page.next(all.size())).build();
        });
    }

    @Override
    @Blocking
    public Uni<Model> getModel(GetModelRequest request) {
        return call(() -> {
            ModelInfo m = registry.model(request.getModelName());
            return ProtoMapper.model(m, registry.versions(m.name()));
        });
    }

    @Override
    @Blocking
    public Uni<ListModelVersionsResponse> listModelVersions(ListModelVersionsRequest request) {
        return call(() -> {
            Page page = Page.of(request.getPageSize(), request.getPageToken());
            if (request.getStatus() == ModelVersionStatus.UNRECOGNIZED) {
                throw invalid("status", "status " + request.getStatusValue() + " is not a ModelVersionStatus; send STAGED, ACTIVE, SHADOW, RETIRED or UNSPECIFIED for all");
            }
            VersionStatus wanted = ProtoMapper.status(request.getStatus());
            List<VersionInfo> all = registry.versions(request.getModelName()).stream()
                    .filter(v -> wanted == null || v.status() == wanted)
                    .toList();
            ListModelVersionsResponse.Builder b = ListModelVersionsResponse.newBuilder();
            page.slice(all).forEach(v -> b.addVersions(ProtoMapper.version(v)));
            return b.setNextPageToken(page.next(all.size())).build();
        });
    }

    @Override
    @Blocking
    public Uni<ModelVersion> getModelVersion(GetModelVersionRequest request) {
        return call(() -> ProtoMapper.version(registry.version(request.getModelName(), request.getVersion())));
    }

    @Override
    @Blocking
    public Uni<ModelVersion> activateModelVersion(ActivateModelVersionRequest request) {
        return call(() -> ProtoMapper.version(lifecycle.activate(key(request.getModelName(), request.getVersion()), request.getReason())));
    }

    @Override
    @Blocking
    public Uni<ModelVersion> shadowModelVersion(ShadowModelVersionRequest request) {
        return call(() -> ProtoMapper.version(lifecycle.shadow(key(request.getModelName(), request.getVersion()), request.getReason())));
    }

    @Override
    @Blocking
    public Uni<ModelVersion> retireModelVersion(RetireModelVersionRequest request) {
        return call(() -> ProtoMapper.version(lifecycle.retire(key(request.getModelName(), request.getVersion()), request.getReason())));
    }

    @Override
    @Blocking
    public Uni<EnsembleDefinition> defineEnsemble(DefineEnsembleRequest request) {
        return call(() -> {
            if (!request.hasEnsemble()) {
                throw invalid("ensemble", "ensemble is missing; send its name, members and weight_config");
            }
            EnsembleDefinition d = request.getEnsemble();
            return ProtoMapper.ensemble(lifecycle.define(
                    d.getName(),
                    d.getDescription(),
                    ProtoMapper.members(d),
                    d.getWeightConfig().getHalfLifeOutcomes(),
                    d.getWeightConfig().getFloor(),
                    request.getExpectedRevision(),
                    d.hasMetaModel() ? new VersionKey(d.getMetaModel().getModelName(), d.getMetaModel().getVersion()) : null));
        });
    }

    @Override
    @Blocking
    public Uni<EnsembleDefinition> getEnsemble(GetEnsembleRequest request) {
        return call(() -> {
            ModelRegistry.checkName("name", request.getName());
            return ProtoMapper.ensemble(ensembles.reload(request.getName()));
        });
    }

    @Override
    @Blocking
    public Uni<ListEnsemblesResponse> listEnsembles(ListEnsemblesRequest request) {
        return call(() -> {
            Page page = Page.of(request.getPageSize(), request.getPageToken());
            var all = ensembles.all();
            ListEnsemblesResponse.Builder b = ListEnsemblesResponse.newBuilder();
            page.slice(all).forEach(p -> b.addEnsembles(ProtoMapper.ensemble(p)));
            return b.setNextPageToken(page.next(all.size())).build();
        });
    }

    /**
     * Not @Blocking: the decide path's prediction (an ensemble in memory, the current weights, a feature vector of the
     * models' schema or named features) is answered on the event loop with the journal written asynchronously
     * ({@link Predictor#predictInMemory}), without a hand-off to a worker and back; anything that must read PostgreSQL,
     * Redis or feature-service first (a model not loaded yet, a weights snapshot, a single version) goes to a worker.
     */
    @Override
    public Uni<Prediction> predict(PredictRequest request) {
        checkTarget(request.getTarget());
        PredictionTarget target = request.getTarget();
        if (target.getTargetCase() != PredictionTarget.TargetCase.MODEL && request.getWeightsSnapshotId().isEmpty()) {
            var fast = predictor.predictInMemory(target.getEnsembleName(), ProtoMapper.input(request.getInput(), "input"),
                    request.getDecisionId());
            if (fast.isPresent()) {
                return fast.get().map(ProtoMapper::prediction);
            }
        }
        return call(() -> ProtoMapper.prediction(predictOne(target, request.getInput(), "input", request.getDecisionId(),
                request.getWeightsSnapshotId(), true)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** A wrong target refuses the whole request, before any row is looked at. */
    private static void checkTarget(PredictionTarget target) {
        switch (target.getTargetCase()) {
            case ENSEMBLE_NAME -> {
                if (!target.getEnsembleName().isEmpty()) {
                    ModelRegistry.checkName("target.ensemble_name", target.getEnsembleName());
                }
            }
            case MODEL -> {
                ModelRegistry.checkName("target.model.model_name", target.getModel().getModelName());
                if (target.getModel().getVersion() <= 0) {
                    throw invalid("target.model.version", "target.model.version is " + target.getModel().getVersion() + "; send a version number ≥ 1");
                }
            }
            default -> {
                // unset: the default ensemble
            }
        }
    }

    private PredictionResult predictOne(PredictionTarget target, PredictionInput in, String field, String decisionId, String snapshot, boolean journal) {
        var input = ProtoMapper.input(in, field);
        return switch (target.getTargetCase()) {
            case MODEL -> predictor.predictVersion(key(target.getModel().getModelName(), target.getModel().getVersion()), input);
            case ENSEMBLE_NAME -> predictor.predictEnsemble(target.getEnsembleName(), input, decisionId, snapshot, journal);
            default -> predictor.predictEnsemble("", input, decisionId, snapshot, journal);
        };
    }

    @Override
    @Blocking
    public Uni<PredictBatchResponse> predictBatch(PredictBatchRequest request) {
        return call(() -> {
            if (request.getInputsCount() > config.maxBatchRows()) {
                throw invalid(
                        "inputs",
                        "inputs has " + request.getInputsCount() + " rows, over the limit of " + config.maxBatchRows()
                                + " (arbiter.models.max-batch-rows); split the batch");
            }
            checkTarget(request.getTarget());
            PredictBatchResponse.Builder b = PredictBatchResponse.newBuilder();
            for (int i = 0; i < request.getInputsCount(); i++) {
                PredictBatchResult.Builder r = PredictBatchResult.newBuilder();
                try {
                    Prediction p = ProtoMapper.prediction(predictOne(request.getTarget(), request.getInputs(i), "inputs[" + i + "]", "", request.getWeightsSnapshotId(), false));
                    r.setPrediction(p.toBuilder().setPredictionId(""));
                } catch (RequestRefused e) {
                    if (e.code() != io.grpc.Status.Code.INVALID_ARGUMENT
                            || e.field().equals("ensemble_name") || e.field().equals("version") || e.field().equals("weights_snapshot_id")) {
                        throw e; // the target itself is wrong (unknown, not loadable): no row can succeed
                    }
                    Problem problem = ProtoMapper.problem(e);
                    if (problem.getField().equals("input") || problem.getField().startsWith("input.")) {
                        // the field of the row in this request: inputs[i] rather than Predict's input
                        problem = problem.toBuilder().setField("inputs[" + i + "]" + problem.getField().substring("input".length())).build();
                    }
                    r.setProblem(problem);
                }
                b.addResults(r);
            }
            return b.build();
        });
    }

    @Override
    @Blocking
    public Uni<ReportPredictionOutcomeResponse> reportPredictionOutcome(ReportPredictionOutcomeRequest request) {
        return call(() -> ProtoMapper.outcome(outcomes.report(request.getEnsembleName(), ProtoMapper.reference(request),
                request.getRealisedPositive())));
    }

    @Override
    @Blocking
    public Uni<dev.arbiter.proto.v1.EnsembleWeights> getEnsembleWeights(GetEnsembleWeightsRequest request) {
        return call(() -> {
            ModelRegistry.checkName("ensemble_name", request.getEnsembleName());
            var plan = ensembles.current(request.getEnsembleName());
            var w = request.getWeightsSnapshotId().isEmpty()
                    ? weights.current(plan)
                    : weights.snapshot(plan, request.getWeightsSnapshotId()).orElseThrow(() -> RequestRefused.notFound(
                            "weights_snapshot_id", "weights_snapshot_id " + request.getWeightsSnapshotId() + " of ensemble " + plan.name()
                                    + " does not exist or is no longer kept (snapshots of the latest outcomes are); leave it empty for the current weights"));
            return ProtoMapper.weights(w);
        });
    }

    @Override
    @Blocking
    public Uni<GetDriftStatusResponse> getDriftStatus(GetDriftStatusRequest request) {
        return call(() -> {
            GetDriftStatusResponse.Builder b = GetDriftStatusResponse.newBuilder();
            driftQueries.statuses(request.getModelName(), request.getVersion())
                    .forEach(s -> b.addModels(DriftProtoMapper.toProto(s)));
            return b.build();
        });
    }

    @Override
    @Blocking
    public Uni<ResetDriftReferenceResponse> resetDriftReference(ResetDriftReferenceRequest request) {
        return call(() -> ResetDriftReferenceResponse.newBuilder()
                .setReferenceGeneration(driftQueries.reset(request.getModelName(), request.getVersion()))
                .build());
    }

    private static VersionKey key(String model, int version) {
        ModelRegistry.checkName("model_name", model);
        if (version <= 0) {
            throw invalid("version", "version is " + version + "; send a version number ≥ 1");
        }
        return new VersionKey(model, version);
    }

    /** Offset paging with service-support's PageTokens, as common.proto's convention describes. */
    record Page(int size, int offset) {

        private static final String KIND = "o";

        static Page of(int size, String token) {
            return new Page(PageTokens.size(size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), PageTokens.offset(token, KIND));
        }

        <T> List<T> slice(List<T> all) {
            return all.subList(Math.min(offset, all.size()), (int) Math.min((long) offset + size, all.size()));
        }

        String next(int total) {
            return PageTokens.nextOffset(KIND, offset, size, total);
        }
    }
}
