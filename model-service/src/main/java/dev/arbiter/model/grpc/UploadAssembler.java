package dev.arbiter.model.grpc;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.model.service.ModelRegistry;
import dev.arbiter.model.service.NewVersion;
import dev.arbiter.model.service.VersionInfo;
import dev.arbiter.proto.v1.UploadModelRequest;
import java.util.Arrays;

/**
 * Collects one UploadModel stream: metadata first and once, then chunks, never more bytes than announced. Memory
 * follows the bytes that arrived, not the size announced: the buffer starts at {@link #FIRST_BUFFER} at most and
 * doubles as chunks come (never past the announced size), so a stream that announces the maximum and sends nothing
 * holds 64 KiB, not the maximum.
 */
final class UploadAssembler {

    static final int FIRST_BUFFER = 64 * 1024;

    private final ModelRegistry registry;
    private final ModelServiceConfig config;
    private NewVersion metadata;
    private byte[] buffer;
    private int size;

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
                buffer = new byte[(int) Math.min(m.sizeBytes(), FIRST_BUFFER)];
            }
            case CHUNK -> {
                if (metadata == null) {
                    throw invalid("metadata", "a chunk arrived before the metadata; send metadata in the first message");
                }
                int n = part.getChunk().size();
                if (n > config.maxChunkBytes()) {
                    throw invalid("chunk", "a chunk of " + n + " bytes is over the limit of " + config.maxChunkBytes() + "; split the artifact into smaller chunks");
                }
                if (size + (long) n > metadata.sizeBytes()) {
                    throw invalid(
                            "chunk",
                            "more bytes arrived than metadata.size_bytes (" + metadata.sizeBytes() + "); send the artifact's exact size");
                }
                if (size + n > buffer.length) {
                    long grown = Math.max(size + (long) n, Math.min(metadata.sizeBytes(), 2L * buffer.length));
                    buffer = Arrays.copyOf(buffer, (int) grown);
                }
                part.getChunk().copyTo(buffer, size);
                size += n;
            }
            default -> throw invalid("part", "part is empty: an upload message carries neither metadata nor a chunk; send metadata first, then chunks");
        }
    }

    VersionInfo register() {
        if (metadata == null) {
            throw invalid("metadata", "the upload carried no metadata; send it in the first message, then the chunks");
        }
        return registry.register(metadata, size == buffer.length ? buffer : Arrays.copyOf(buffer, size));
    }

    /** The bytes held now for the artifact (the buffer's length), for tests. */
    int bufferedCapacity() {
        return buffer == null ? 0 : buffer.length;
    }
}
