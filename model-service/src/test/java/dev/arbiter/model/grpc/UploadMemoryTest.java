package dev.arbiter.model.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.arbiter.model.TrainedModels;
import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.model.service.ModelRegistry;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.UploadModelRequest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An upload's memory follows the bytes that arrived, not the size its metadata announces: announcing the largest
 * artifact allowed and sending nothing holds 64 KiB; then each chunk at most doubles the buffer, never past the
 * announced size; the artifact that completes is registered as sent.
 */
@QuarkusTest
class UploadMemoryTest {

    @Inject
    ModelRegistry registry;

    @Inject
    ModelServiceConfig config;

    @Test
    void announcingTheMaximumAllocatesNothingLikeItAndTheBufferGrowsWithTheChunks() throws Exception {
        byte[] artifact = TrainedModels.xgboostJson();
        UploadAssembler announcedMax = new UploadAssembler(registry, config);
        announcedMax.accept(UploadModelRequest.newBuilder().setMetadata(TrainedModels.metadata("upload-memory-max-" + UUID.randomUUID(),
                ModelFormat.MODEL_FORMAT_XGBOOST_JSON, artifact).setSizeBytes(config.maxArtifactBytes())).build());
        assertEquals(UploadAssembler.FIRST_BUFFER, announcedMax.bufferedCapacity(), "not the " + config.maxArtifactBytes() + " announced");
        int chunk = 16 * 1024;
        for (int sent = 0; sent < 10 * chunk; sent += chunk) {
            announcedMax.accept(UploadModelRequest.newBuilder().setChunk(ByteString.copyFrom(new byte[chunk])).build());
            int held = announcedMax.bufferedCapacity();
            assertTrue(held >= sent + chunk && held <= Math.max(UploadAssembler.FIRST_BUFFER, 2 * (sent + chunk)),
                    "after " + (sent + chunk) + " bytes the buffer holds " + held);
        }

        UploadAssembler real = new UploadAssembler(registry, config);
        real.accept(UploadModelRequest.newBuilder().setMetadata(TrainedModels.metadata("upload-memory-" + UUID.randomUUID(),
                ModelFormat.MODEL_FORMAT_XGBOOST_JSON, artifact)).build());
        for (int i = 0; i < artifact.length; i += chunk) {
            real.accept(UploadModelRequest.newBuilder().setChunk(ByteString.copyFrom(artifact, i, Math.min(chunk, artifact.length - i))).build());
            assertTrue(real.bufferedCapacity() <= artifact.length, "never past the announced size");
        }
        assertEquals(artifact.length, real.register().sizeBytes(), "registered as sent");
    }
}
