package dev.arbiter.model.grpc;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.model.drift.DriftMonitor;
import dev.arbiter.model.drift.DriftProtoMapper;
import dev.arbiter.model.repository.ModelEntity;
import dev.arbiter.model.service.EnsembleService;
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
import dev.arbiter.service.RequestRefused;
import io.smallrye.common.annotation.Blocking;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The ModelService gRPC adapter. Everything here may touch PostgreSQL or Redis, so it runs on worker threads. */
@GrpcService
public class ModelGrpcService implements ModelService {

    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 500;

    private final ModelServiceConfig config;
    private final ModelRegistry registry;
    private final ModelLifecycle lifecycle;
    private final EnsembleService ensembles;
    private final Predictor predictor;
    private final OutcomeService outcomes;
    private final WeightStore weights;
    private final DriftMonitor drift;

    public ModelGrpcService(
            ModelServiceConfig config,
            ModelRegistry registry,
            ModelLifecycle lifecycle,
            EnsembleService ensembles,
            Predictor predictor,
            OutcomeService outcomes,
            WeightStore weights,
            DriftMonitor drift) {
        this.config = config;
        this.registry = registry;
        this.lifecycle = lifecycle;
        this.ensembles = ensembles;
        this.predictor = predictor;
        this.outcomes = outcomes;
        this.weights = weights;
        this.drift = drift;
    }

    /** Runs the work on this worker thread (the methods are @Blocking); {@link ExceptionStatuses} maps a refusal to its status. */
    private static <T> Uni<T> call(Supplier<T> work) {
        return Uni.createFrom().item(work);
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
            List<ModelEntity> all = registry.models();
            ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
            for (ModelEntity m : page.slice(all)) {
                b.addModels(ProtoMapper.model(m, registry.versions(m.name)));
            }
            return b.setNextPageToken(page.next(all.size())).build();
        });
    }

    @Override
    @Blocking
    public Uni<Model> getModel(GetModelRequest request) {
        return call(() -> {
            List<VersionInfo> versions = registry.versions(request.getModelName());
            ModelEntity m = registry.models().stream().filter(e -> e.name.equals(request.getModelName())).findFirst().orElseThrow();
            return ProtoMapper.model(m, versions);
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

    @Override
    @Blocking
    public Uni<Prediction> predict(PredictRequest request) {
        return call(() -> {
            checkTarget(request.getTarget());
            return ProtoMapper.prediction(predictOne(request.getTarget(), request.getInput(), "input", request.getDecisionId(), request.getWeightsSnapshotId(), true));
        });
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
        return call(() -> {
            String ensemble = request.getEnsembleName();
            if (!ensemble.isEmpty()) {
                ModelRegistry.checkName("ensemble_name", ensemble);
            }
            OutcomeService.Result r = switch (request.getReferenceCase()) {
                case PREDICTION_ID -> {
                    if (request.getPredictionId().isEmpty()) {
                        throw invalid("prediction_id", "prediction_id is empty; send the Prediction.prediction_id the outcome is for");
                    }
                    yield outcomes.byPrediction(ensemble, request.getPredictionId(), request.getRealisedPositive());
                }
                case DECISION_ID -> {
                    if (request.getDecisionId().isEmpty()) {
                        throw invalid("decision_id", "decision_id is empty; send the decision_id given with the prediction");
                    }
                    yield outcomes.byDecision(ensemble, request.getDecisionId(), request.getRealisedPositive());
                }
                case MEMBER_OUTCOMES -> {
                    Map<VersionKey, Boolean> correct = new HashMap<>();
                    for (int i = 0; i < request.getMemberOutcomes().getMembersCount(); i++) {
                        MemberOutcome m = request.getMemberOutcomes().getMembers(i);
                        String field = "member_outcomes.members[" + i + "]";
                        ModelRegistry.checkName(field + ".model_name", m.getModelName());
                        if (m.getVersion() <= 0) {
                            throw invalid(field + ".version", field + ".version is " + m.getVersion() + "; send the member's version number ≥ 1");
                        }
                        if (correct.put(new VersionKey(m.getModelName(), m.getVersion()), m.getCorrect()) != null) {
                            throw invalid(field, field + " repeats " + m.getModelName() + " v" + m.getVersion() + "; send each member once");
                        }
                    }
                    yield outcomes.byMembers(ensemble, correct);
                }
                default -> throw invalid("reference", "reference is missing; say which prediction the outcome is for: prediction_id, decision_id or member_outcomes");
            };
            ReportPredictionOutcomeResponse.Builder b = ReportPredictionOutcomeResponse.newBuilder().setStatus(switch (r.status()) {
                case APPLIED -> PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED;
                case DUPLICATE -> PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_DUPLICATE;
                case UNKNOWN_PREDICTION -> PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_UNKNOWN_PREDICTION;
            });
            if (r.weights() != null) {
                b.setWeights(ProtoMapper.weights(r.weights()));
            }
            return b.build();
        });
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
                                    + " does not exist or expired (kept arbiter.models.weight-snapshot-ttl); leave it empty for the current weights"));
            return ProtoMapper.weights(w);
        });
    }

    @Override
    @Blocking
    public Uni<GetDriftStatusResponse> getDriftStatus(GetDriftStatusRequest request) {
        return call(() -> {
            GetDriftStatusResponse.Builder b = GetDriftStatusResponse.newBuilder();
            if (request.getVersion() < 0) {
                throw invalid("version", "version is " + request.getVersion() + "; send ≥ 1, or 0 for every serving version");
            }
            if (request.getModelName().isEmpty() && request.getVersion() > 0) {
                throw invalid("model_name", "model_name is missing but version is " + request.getVersion() + "; name the model, or send version 0 for every model");
            }
            if (!request.getModelName().isEmpty() && request.getVersion() > 0) {
                registry.version(request.getModelName(), request.getVersion());
                b.addModels(DriftProtoMapper.toProto(drift.status(request.getModelName(), request.getVersion())));
                return b.build();
            }
            if (!request.getModelName().isEmpty()) {
                registry.versions(request.getModelName());
            }
            drift.statuses().stream()
                    .filter(s -> request.getModelName().isEmpty() || s.modelName().equals(request.getModelName()))
                    .forEach(s -> b.addModels(DriftProtoMapper.toProto(s)));
            return b.build();
        });
    }

    private static VersionKey key(String model, int version) {
        ModelRegistry.checkName("model_name", model);
        if (version <= 0) {
            throw invalid("version", "version is " + version + "; send a version number ≥ 1");
        }
        return new VersionKey(model, version);
    }

    /** Offset paging with an opaque token, as common.proto's convention describes. */
    record Page(int size, int offset) {

        static Page of(int size, String token) {
            if (size < 0) {
                throw invalid("page_size", "page_size is " + size + "; send 1.." + MAX_PAGE_SIZE + ", or 0 for the default");
            }
            int offset = 0;
            if (!token.isEmpty()) {
                try {
                    String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                    if (!s.startsWith("o:")) {
                        throw new IllegalArgumentException(s);
                    }
                    offset = Integer.parseInt(s.substring(2));
                    if (offset < 0) {
                        throw new IllegalArgumentException(s);
                    }
                } catch (IllegalArgumentException e) {
                    throw invalid("page_token", "page_token is not one this service issued; send the previous next_page_token, or none");
                }
            }
            return new Page(size == 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE), offset);
        }

        <T> List<T> slice(List<T> all) {
            return all.subList(Math.min(offset, all.size()), (int) Math.min((long) offset + size, all.size()));
        }

        String next(int total) {
            return (long) offset + size < total
                    ? Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + (offset + size)).getBytes(StandardCharsets.UTF_8))
                    : "";
        }
    }
}
