package dev.arbiter.optimizer.client;

import com.google.protobuf.ByteString;
import dev.arbiter.optimizer.config.OptimizerConfig;
import dev.arbiter.optimizer.config.TrainingConfig;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleWeights;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.GetDriftStatusRequest;
import dev.arbiter.proto.v1.GetEnsembleRequest;
import dev.arbiter.proto.v1.GetEnsembleWeightsRequest;
import dev.arbiter.proto.v1.ModelDriftStatus;
import dev.arbiter.proto.v1.RetireModelVersionRequest;
import dev.arbiter.proto.v1.ListModelVersionsRequest;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.ModelVersionStatus;
import dev.arbiter.proto.v1.NamedFeatures;
import dev.arbiter.proto.v1.PredictBatchRequest;
import dev.arbiter.proto.v1.PredictBatchResponse;
import dev.arbiter.proto.v1.PredictBatchResult;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.proto.v1.UploadModelRequest;
import dev.arbiter.service.Answer;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Outbound calls to model-service (gRPC client "models", {@code quarkus.grpc.clients.models.*}): find a model's
 * champion, score it on rows, register a new version. Every call carries a deadline
 * ({@code arbiter.optimizer.training.model-service-deadline}, {@code upload-deadline}); a failed call becomes a
 * {@link ModelServiceFailure} that names the call and the status.
 */
@ApplicationScoped
public class ModelRegistryClient {

    private final ModelServiceGrpc.ModelServiceBlockingStub blocking;
    private final ModelServiceGrpc.ModelServiceStub async;
    private final TrainingConfig config;

    public ModelRegistryClient(@GrpcClient("models") Channel channel, OptimizerConfig config) {
        // Quarkus injects blocking and Mutiny stubs only; the client-streaming upload uses grpc-java's async stub.
        this.blocking = ModelServiceGrpc.newBlockingStub(channel);
        this.async = ModelServiceGrpc.newStub(channel);
        this.config = config.training();
    }

    /** The model's ACTIVE version with the highest number; empty when the model or an active version does not exist. */
    public Optional<ModelVersion> champion(String modelName) {
        try {
            return deadline(blocking).listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(modelName)
                            .setStatus(ModelVersionStatus.MODEL_VERSION_STATUS_ACTIVE).setPageSize(100).build())
                    .getVersionsList().stream().max(Comparator.comparingInt(ModelVersion::getVersion));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw new ModelServiceFailure("ListModelVersions(" + modelName + ")", e);
        }
    }

    /**
     * Probabilities of one version for row-major feature rows in the served schema's order, in batches.
     *
     * @throws ModelServiceFailure when a call fails or model-service refuses a row
     */
    public double[] predict(ModelVersionRef version, String schemaId, double[] x, int rows, int cols) {
        return predictRows(version, rows, r -> {
            FeatureVector.Builder v = FeatureVector.newBuilder().setSchemaId(schemaId).setWarm(true);
            for (int j = 0; j < cols; j++) {
                v.addValues(x[r * cols + j]);
            }
            return PredictionInput.newBuilder().setFeatures(v).build();
        });
    }

    /**
     * Probabilities of one version for row-major rows of named inputs ({@code names.size()} per row), in batches: for
     * a meta model, whose inputs are the ensemble's outputs and then features.
     *
     * @throws ModelServiceFailure when a call fails or model-service refuses a row
     */
    public double[] predictNamed(ModelVersionRef version, java.util.List<String> names, double[] x, int rows) {
        int cols = names.size();
        return predictRows(version, rows, r -> {
            NamedFeatures.Builder v = NamedFeatures.newBuilder();
            for (int j = 0; j < cols; j++) {
                v.putValues(names.get(j), x[r * cols + j]);
            }
            return PredictionInput.newBuilder().setNamedFeatures(v).build();
        });
    }

    private double[] predictRows(ModelVersionRef version, int rows, java.util.function.IntFunction<PredictionInput> input) {
        double[] out = new double[rows];
        int batch = Math.max(1, config.championBatchRows());
        PredictionTarget target = PredictionTarget.newBuilder().setModel(version).build();
        for (int from = 0; from < rows; from += batch) {
            int to = Math.min(rows, from + batch);
            PredictBatchRequest.Builder request = PredictBatchRequest.newBuilder().setTarget(target);
            for (int r = from; r < to; r++) {
                request.addInputs(input.apply(r));
            }
            PredictBatchResponse response;
            try {
                response = deadline(blocking).predictBatch(request.build());
            } catch (StatusRuntimeException e) {
                throw new ModelServiceFailure("PredictBatch(" + version.getModelName() + " v" + version.getVersion() + ")", e);
            }
            for (int r = from; r < to; r++) {
                PredictBatchResult result = response.getResults(r - from);
                if (result.hasProblem()) {
                    throw new ModelServiceFailure("PredictBatch(" + version.getModelName() + " v" + version.getVersion()
                            + ") refused row " + r + ": " + result.getProblem().getField() + ": "
                            + result.getProblem().getMessage());
                }
                out[r] = result.getPrediction().getEnsembleProbability();
            }
        }
        return out;
    }

    /** Uploads an artifact: the metadata, then chunks; answers the version model-service registered (STAGED). */
    public ModelVersion upload(UploadModelMetadata metadata, byte[] artifact) {
        Answer<ModelVersion> done = new Answer<>();
        StreamObserver<UploadModelRequest> parts = async
                .withDeadlineAfter(config.uploadDeadline().toMillis(), TimeUnit.MILLISECONDS)
                .uploadModel(done);
        try {
            parts.onNext(UploadModelRequest.newBuilder().setMetadata(metadata).build());
            int chunk = Math.max(1, Math.min(config.uploadChunkBytes(), 1 << 20));
            for (int i = 0; i < artifact.length; i += chunk) {
                parts.onNext(UploadModelRequest.newBuilder()
                        .setChunk(ByteString.copyFrom(artifact, i, Math.min(chunk, artifact.length - i))).build());
            }
            parts.onCompleted();
        } catch (RuntimeException e) {
            parts.onError(e);
            throw new ModelServiceFailure("UploadModel(" + metadata.getModelName() + ") could not send: " + e.getMessage());
        }
        try {
            // The call's own deadline ends it; the extra second only covers the status arriving.
            return done.get(config.uploadDeadline().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StatusRuntimeException s) {
                throw new ModelServiceFailure("UploadModel(" + metadata.getModelName() + ")", s);
            }
            throw new ModelServiceFailure("UploadModel(" + metadata.getModelName() + ") failed: " + cause);
        } catch (TimeoutException e) {
            throw new ModelServiceFailure("UploadModel(" + metadata.getModelName() + ") got no answer within "
                    + config.uploadDeadline());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelServiceFailure("UploadModel(" + metadata.getModelName() + ") was interrupted");
        }
    }

    /** An ensemble's definition; empty when it is not defined. */
    public Optional<EnsembleDefinition> ensemble(String name) {
        try {
            return Optional.of(deadline(blocking).getEnsemble(GetEnsembleRequest.newBuilder().setName(name).build()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw new ModelServiceFailure("GetEnsemble(" + name + ")", e);
        }
    }

    /** Redefines an ensemble if it is still at {@code expectedRevision}; a moved revision fails with FAILED_PRECONDITION. */
    public EnsembleDefinition define(EnsembleDefinition ensemble, int expectedRevision) {
        try {
            return deadline(blocking).defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(ensemble)
                    .setExpectedRevision(expectedRevision).build());
        } catch (StatusRuntimeException e) {
            throw new ModelServiceFailure("DefineEnsemble(" + ensemble.getName() + ")", e);
        }
    }

    /** An ensemble's current member weights. */
    public EnsembleWeights weights(String ensemble) {
        try {
            return deadline(blocking).getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder().setEnsembleName(ensemble).build());
        } catch (StatusRuntimeException e) {
            throw new ModelServiceFailure("GetEnsembleWeights(" + ensemble + ")", e);
        }
    }

    /** Makes a version ACTIVE (answered unchanged when it is already). */
    public ModelVersion activate(ModelVersionRef version, String reason) {
        try {
            return deadline(blocking).activateModelVersion(ActivateModelVersionRequest.newBuilder()
                    .setModelName(version.getModelName()).setVersion(version.getVersion()).setReason(reason).build());
        } catch (StatusRuntimeException e) {
            throw new ModelServiceFailure("ActivateModelVersion(" + version.getModelName() + " v" + version.getVersion() + ")", e);
        }
    }

    /** Retires a version; FAILED_PRECONDITION while an ensemble still holds it. */
    public ModelVersion retire(ModelVersionRef version, String reason) {
        try {
            return deadline(blocking).retireModelVersion(RetireModelVersionRequest.newBuilder()
                    .setModelName(version.getModelName()).setVersion(version.getVersion()).setReason(reason).build());
        } catch (StatusRuntimeException e) {
            throw new ModelServiceFailure("RetireModelVersion(" + version.getModelName() + " v" + version.getVersion() + ")", e);
        }
    }

    /** One served version's drift status (as model-service's replica that answers sees it). */
    public Optional<ModelDriftStatus> drift(ModelVersionRef version) {
        try {
            return deadline(blocking).getDriftStatus(GetDriftStatusRequest.newBuilder().setModelName(version.getModelName())
                    .setVersion(version.getVersion()).build()).getModelsList().stream().findFirst();
        } catch (StatusRuntimeException e) {
            throw new ModelServiceFailure("GetDriftStatus(" + version.getModelName() + " v" + version.getVersion() + ")", e);
        }
    }

    private ModelServiceGrpc.ModelServiceBlockingStub deadline(ModelServiceGrpc.ModelServiceBlockingStub stub) {
        return stub.withDeadlineAfter(config.modelServiceDeadline().toMillis(), TimeUnit.MILLISECONDS);
    }
}
