package dev.arbiter.model.grpc;

import dev.arbiter.model.runtime.ArtifactFormat;
import dev.arbiter.model.service.EnsemblePlan;
import dev.arbiter.model.service.EnsembleService;
import dev.arbiter.model.service.EnsembleWeights;
import dev.arbiter.model.service.NewVersion;
import dev.arbiter.model.service.OutcomeService;
import dev.arbiter.model.service.PredictionResult;
import dev.arbiter.model.service.ModelInfo;
import dev.arbiter.model.service.VersionInfo;
import dev.arbiter.model.service.VersionKey;
import dev.arbiter.model.service.VersionStatus;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.EnsembleWeightConfig;
import dev.arbiter.proto.v1.MemberPrediction;
import dev.arbiter.proto.v1.MemberWeight;
import dev.arbiter.proto.v1.Model;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelOutput;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.ModelVersionStatus;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionOutcomeStatus;
import dev.arbiter.proto.v1.Problem;
import dev.arbiter.proto.v1.ReportPredictionOutcomeRequest;
import dev.arbiter.proto.v1.ReportPredictionOutcomeResponse;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.service.RequestRefused;
import java.time.Instant;
import java.util.List;

/** Proto ⇄ domain for model-service, and a refusal as a per-row Problem. Nothing else. */
final class ProtoMapper {

    private ProtoMapper() {}

    static Problem problem(RequestRefused e) {
        return Problem.newBuilder().setCode(e.code().value()).setField(e.field()).setMessage(e.getMessage()).build();
    }

    static NewVersion newVersion(UploadModelMetadata m) {
        ArtifactFormat format = switch (m.getFormat()) {
            case MODEL_FORMAT_ONNX -> ArtifactFormat.ONNX;
            case MODEL_FORMAT_XGBOOST_JSON -> ArtifactFormat.XGBOOST_JSON;
            case MODEL_FORMAT_XGBOOST_UBJ -> ArtifactFormat.XGBOOST_UBJ;
            default -> null;
        };
        return new NewVersion(
                m.getModelName(),
                format,
                m.getOutput() == ModelOutput.MODEL_OUTPUT_POSITIVE_CLASS_PROBABILITY,
                List.copyOf(m.getInputFeatureNamesList()),
                m.getTrainingMetadataMap(),
                m.getMetricsMap(),
                m.getSizeBytes(),
                m.getSha256Hex(),
                m.getDescription(),
                m.getFeatureSchemaId(),
                m.getOnnxOutputName(),
                m.getFormat() == ModelFormat.MODEL_FORMAT_ONNX && m.getOnnxPositiveClassIndex() == 0 ? 1 : m.getOnnxPositiveClassIndex());
    }

    static ModelVersion version(VersionInfo v) {
        return ModelVersion.newBuilder()
                .setModelName(v.key().model())
                .setVersion(v.key().version())
                .setFormat(switch (v.format()) {
                    case ONNX -> ModelFormat.MODEL_FORMAT_ONNX;
                    case XGBOOST_JSON -> ModelFormat.MODEL_FORMAT_XGBOOST_JSON;
                    case XGBOOST_UBJ -> ModelFormat.MODEL_FORMAT_XGBOOST_UBJ;
                })
                .addAllInputFeatureNames(v.inputFeatureNames())
                .setOutput(ModelOutput.MODEL_OUTPUT_POSITIVE_CLASS_PROBABILITY)
                .putAllTrainingMetadata(v.trainingMetadata())
                .putAllMetrics(v.metrics())
                .setSizeBytes(v.sizeBytes())
                .setSha256Hex(v.sha256Hex())
                .setStatus(status(v.status()))
                .setCreatedTsMicros(micros(v.createdAt()))
                .setStatusChangedTsMicros(micros(v.statusChangedAt()))
                .setStatusReason(v.statusReason())
                .setDescription(v.description())
                .setFeatureSchemaId(v.featureSchemaId())
                .setOnnxOutputName(v.onnxOutputName())
                .setOnnxPositiveClassIndex(v.onnxPositiveClassIndex())
                .build();
    }

    static ModelVersionStatus status(VersionStatus s) {
        return switch (s) {
            case STAGED -> ModelVersionStatus.MODEL_VERSION_STATUS_STAGED;
            case ACTIVE -> ModelVersionStatus.MODEL_VERSION_STATUS_ACTIVE;
            case SHADOW -> ModelVersionStatus.MODEL_VERSION_STATUS_SHADOW;
            case RETIRED -> ModelVersionStatus.MODEL_VERSION_STATUS_RETIRED;
        };
    }

    static VersionStatus status(ModelVersionStatus s) {
        return switch (s) {
            case MODEL_VERSION_STATUS_STAGED -> VersionStatus.STAGED;
            case MODEL_VERSION_STATUS_ACTIVE -> VersionStatus.ACTIVE;
            case MODEL_VERSION_STATUS_SHADOW -> VersionStatus.SHADOW;
            case MODEL_VERSION_STATUS_RETIRED -> VersionStatus.RETIRED;
            default -> null;
        };
    }

    static Model model(ModelInfo m, List<VersionInfo> versions) {
        Model.Builder b = Model.newBuilder()
                .setName(m.name())
                .setDescription(m.description())
                .setCreatedTsMicros(micros(m.createdAt()))
                .setVersionCount(versions.size());
        for (VersionInfo v : versions) {
            b.setLatestVersion(Math.max(b.getLatestVersion(), v.key().version()));
            if (v.status() == VersionStatus.ACTIVE) {
                b.addActiveVersions(v.key().version());
            } else if (v.status() == VersionStatus.SHADOW) {
                b.addShadowVersions(v.key().version());
            }
        }
        return b.build();
    }

    static List<EnsembleService.StoredMember> members(EnsembleDefinition d) {
        return d.getMembersList().stream()
                .map(m -> new EnsembleService.StoredMember(m.getModelName(), m.getVersion(), m.getInitialWeight(),
                        m.getMaxWeight()))
                .toList();
    }

    static EnsembleDefinition ensemble(EnsemblePlan p) {
        EnsembleDefinition.Builder b = EnsembleDefinition.newBuilder()
                .setName(p.name())
                .setDescription(p.description())
                .setWeightConfig(EnsembleWeightConfig.newBuilder().setHalfLifeOutcomes(p.halfLifeOutcomes()).setFloor(p.floor()))
                .setRevision(p.revision())
                .setCreatedTsMicros(micros(p.createdAt()))
                .setUpdatedTsMicros(micros(p.updatedAt()));
        for (EnsemblePlan.Member m : p.members()) {
            b.addMembers(EnsembleMember.newBuilder().setModelName(m.key().model()).setVersion(m.key().version()).setInitialWeight(m.initialWeight())
                    .setMaxWeight(m.maxWeight()));
        }
        if (p.metaModel() != null) {
            b.setMetaModel(ref(p.metaModel()));
        }
        return b.build();
    }

    static dev.arbiter.proto.v1.EnsembleWeights weights(EnsembleWeights w) {
        dev.arbiter.proto.v1.EnsembleWeights.Builder b = dev.arbiter.proto.v1.EnsembleWeights.newBuilder()
                .setEnsembleName(w.ensemble())
                .setWeightsSnapshotId(w.snapshotId())
                .setOutcomeCount(w.outcomeCount())
                .setUpdatedTsMicros(w.updatedMicros())
                .setWeightConfig(EnsembleWeightConfig.newBuilder().setHalfLifeOutcomes(w.halfLife()).setFloor(w.floor()))
                .setEnsembleRevision(w.revision());
        for (EnsembleWeights.MemberWeight m : w.members()) {
            b.addMembers(MemberWeight.newBuilder()
                    .setModelName(m.key().model())
                    .setVersion(m.key().version())
                    .setWeight(m.weight())
                    .setScore(m.score())
                    .setOutcomeCount(m.outcomes())
                    .setShadow(m.shadow())
                    .setMaxWeight(m.maxWeight()));
        }
        return b.build();
    }

    static Prediction prediction(PredictionResult r) {
        Prediction.Builder b = Prediction.newBuilder()
                .setPredictionId(r.predictionId())
                .setEnsembleProbability(r.ensembleProbability())
                .setAgreement(r.agreement())
                .setWeightsSnapshotId(r.weightsSnapshotId())
                .setEnsembleName(r.ensembleName())
                .setEnsembleRevision(r.ensembleRevision())
                .setSeriesId(r.seriesId())
                .setTsMicros(r.tsMicros())
                .setFeatureSchemaId(r.featureSchemaId())
                .setLatencyMicros(r.latencyMicros());
        if (r.metaProbability() == r.metaProbability()) {
            b.setMetaProbability(r.metaProbability());
        }
        for (PredictionResult.Member m : r.members()) {
            b.addMembers(MemberPrediction.newBuilder()
                    .setModelName(m.key().model())
                    .setVersion(m.key().version())
                    .setProbability(m.probability())
                    .setWeight(m.weight())
                    .setShadow(m.shadow())
                    .setLatencyMicros(m.latencyMicros()));
            if (!m.shadow()) {
                b.addModelVersions(ref(m.key()));
            }
        }
        return b.build();
    }

    static dev.arbiter.model.service.PredictionInput input(PredictionInput in, String field) {
        return switch (in.getInputCase()) {
            case FEATURES -> new dev.arbiter.model.service.PredictionInput(
                    in.getFeatures().getSeriesId(),
                    in.getFeatures().getTsMicros(),
                    in.getFeatures().getSchemaId(),
                    in.getFeatures().getValuesList().stream().mapToDouble(Double::doubleValue).toArray(),
                    null);
            case NAMED_FEATURES -> new dev.arbiter.model.service.PredictionInput(
                    in.getNamedFeatures().getSeriesId(), in.getNamedFeatures().getTsMicros(), "", null, in.getNamedFeatures().getValuesMap());
            default -> throw RequestRefused.invalid(field, field + " is missing; send features (a FeatureVector) or named_features");
        };
    }

    static ModelVersionRef ref(VersionKey k) {
        return ModelVersionRef.newBuilder().setModelName(k.model()).setVersion(k.version()).build();
    }

    static long micros(Instant t) {
        return t == null ? 0 : t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    /** The prediction an outcome is for; null when the request names none (OutcomeService refuses it). */
    static OutcomeService.Reference reference(ReportPredictionOutcomeRequest r) {
        return switch (r.getReferenceCase()) {
            case PREDICTION_ID -> new OutcomeService.Reference.ByPrediction(r.getPredictionId());
            case DECISION_ID -> new OutcomeService.Reference.ByDecision(r.getDecisionId());
            case MEMBER_OUTCOMES -> new OutcomeService.Reference.ByMembers(r.getMemberOutcomes().getMembersList().stream()
                    .map(m -> new OutcomeService.MemberOutcome(m.getModelName(), m.getVersion(), m.getCorrect()))
                    .toList());
            case REFERENCE_NOT_SET -> null;
        };
    }

    static ReportPredictionOutcomeResponse outcome(OutcomeService.Result r) {
        ReportPredictionOutcomeResponse.Builder b = ReportPredictionOutcomeResponse.newBuilder().setStatus(switch (r.status()) {
            case APPLIED -> PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_APPLIED;
            case DUPLICATE -> PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_DUPLICATE;
            case UNKNOWN_PREDICTION -> PredictionOutcomeStatus.PREDICTION_OUTCOME_STATUS_UNKNOWN_PREDICTION;
        });
        if (r.weights() != null) {
            b.setWeights(weights(r.weights()));
        }
        return b.build();
    }
}
