package dev.arbiter.model.grpc;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.model.service.ModelRegistry;
import dev.arbiter.model.service.NewVersion;
import dev.arbiter.model.service.VersionInfo;
import dev.arbiter.proto.v1.UploadModelRequest;
import java.io.ByteArrayOutputStream;

/** Collects one UploadModel stream: metadata first and once, then chunks, never more bytes than announced. */
final class UploadAssembler {

    private final ModelRegistry registry;
    private final ModelServiceConfig config;
    private NewVersion metadata;
    private ByteArrayOutputStream bytes;

    UploadAssembler(ModelRegistry registry, ModelServiceConfig config) {
        this.registry = registry;
        this.config = config;
    }

    void accept(UploadModelRequest part) {
        switch (part.getPartCase()) {
            case METADATA -> {
                if (metadata != null) {
                    throw invalid("metadata", "metadata arrived twice; send it once, in the first message");
                }
                NewVersion m = ProtoMapper.newVersion(part.getMetadata());
                registry.checkMetadata(m);
                metadata = m;
                bytes = new ByteArrayOutputStream((int) m.sizeBytes());
            }
            case CHUNK -> {
                if (metadata == null) {
                    throw invalid("metadata", "a chunk arrived before the metadata; send metadata in the first message");
                }
                int n = part.getChunk().size();
                if (n > config.maxChunkBytes()) {
                    throw invalid("chunk", "a chunk of " + n + " bytes is over the limit of " + config.maxChunkBytes() + "; split the artifact into smaller chunks");
                }
                if (bytes.size() + (long) n > metadata.sizeBytes()) {
                    throw invalid(
                            "chunk",
                            "more bytes arrived than metadata.size_bytes (" + metadata.sizeBytes() + "); send the artifact's exact size");
                }
                bytes.writeBytes(part.getChunk().toByteArray());
            }
            default -> throw invalid("part", "part is empty: an upload message carries neither metadata nor a chunk; send metadata first, then chunks");
        }
    }

    VersionInfo register() {
        if (metadata == null) {
            throw invalid("metadata", "the upload carried no metadata; send it in the first message, then the chunks");
        }
        return registry.register(metadata, bytes.toByteArray());
    }
}
