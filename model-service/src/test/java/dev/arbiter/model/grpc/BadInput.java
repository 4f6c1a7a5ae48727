package dev.arbiter.model.grpc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.model.TrainedModels;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.EnsembleWeightConfig;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.proto.v1.UploadModelRequest;
import dev.arbiter.testing.RefusalAssertions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.function.Executable;

/** Shared steps of the bad-input tests: refusals must carry the right code and name the field. */
final class BadInput {

    private BadInput() {}

    /** A fresh suffix, so names never collide between tests or reruns. */
    static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Asserts that the call fails with {@code code} on exactly {@code field} (a field path such as
     * "metadata.sha256_hex"), as the status details name it.
     */
    static StatusRuntimeException refused(Status.Code code, String field, Executable call) {
        return RefusalAssertions.refused(code, field, call);
    }

    /** As {@link #refused(Status.Code, String, Executable)}, and the description names {@code value} (an unknown name, a feature). */
    static StatusRuntimeException refused(Status.Code code, String field, String value, Executable call) {
        StatusRuntimeException e = refused(code, field, call);
        assertTrue(e.getStatus().getDescription().contains(value), "the description names " + value + ": " + e.getStatus().getDescription());
        return e;
    }

    static StatusRuntimeException invalid(String field, Executable call) {
        return refused(Status.Code.INVALID_ARGUMENT, field, call);
    }

    static ModelVersion upload(MutinyModelServiceStub mutiny, List<UploadModelRequest> parts) {
        return mutiny.uploadModel(Multi.createFrom().iterable(parts)).await().atMost(Duration.ofSeconds(60));
    }

    static ModelVersion upload(MutinyModelServiceStub mutiny, UploadModelMetadata metadata, byte[] bytes) {
        return upload(mutiny, TrainedModels.upload(metadata, bytes, 64 * 1024));
    }

    static ModelVersion upload(MutinyModelServiceStub mutiny, String name, ModelFormat format, byte[] bytes) {
        return upload(mutiny, TrainedModels.metadata(name, format, bytes).build(), bytes);
    }

    static ModelVersion activate(ModelServiceBlockingStub models, ModelVersion v) {
        return models.activateModelVersion(ActivateModelVersionRequest.newBuilder()
                .setModelName(v.getModelName()).setVersion(v.getVersion()).setReason("test").build());
    }

    static EnsembleMember member(ModelVersion v) {
        return EnsembleMember.newBuilder().setModelName(v.getModelName()).setVersion(v.getVersion()).build();
    }

    static EnsembleDefinition.Builder ensemble(String name, ModelVersion... members) {
        EnsembleDefinition.Builder d = EnsembleDefinition.newBuilder()
                .setName(name)
                .setWeightConfig(EnsembleWeightConfig.newBuilder().setHalfLifeOutcomes(5).setFloor(0.05));
        for (ModelVersion m : members) {
            d.addMembers(member(m));
        }
        return d;
    }

    static EnsembleDefinition define(ModelServiceBlockingStub models, String name, ModelVersion... members) {
        return models.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(ensemble(name, members)).build());
    }
}
