package dev.arbiter.optimizer.grpc;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.optimizer.history.CsvImport;
import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.optimizer.history.ImportResult;
import dev.arbiter.optimizer.history.ImportSpec;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import com.google.protobuf.ByteString;

/** Follows one ImportHistory stream: the spec first and once, then chunks (none with a server_path). */
final class ImportAssembler {

    private final HistoryStore store;
    private final int maxChunkBytes;
    private ImportSpec spec;
    private String serverPath = "";
    private CsvImport csv;

    ImportAssembler(HistoryStore store, int maxChunkBytes) {
        this.store = store;
        this.maxChunkBytes = maxChunkBytes;
    }

    void accept(ImportHistoryRequest part) {
        switch (part.getPartCase()) {
            case SPEC -> {
                if (spec != null) {
                    throw invalid("spec", "spec arrived twice; send it once, in the first message, then only chunks");
                }
                spec = HistoryProtoMapper.spec(part.getSpec());
                serverPath = part.getSpec().getServerPath();
                if (serverPath.isEmpty()) {
                    csv = store.beginImport(spec);
                }
            }
            case CHUNK -> {
                if (spec == null) {
                    throw invalid("spec", "a chunk arrived before the spec; send the spec in the first message, then the chunks");
                }
                if (csv == null) {
                    throw invalid("chunk", "a chunk arrived but spec.server_path is set; send either server_path or chunks, not both");
                }
                ByteString chunk = part.getChunk();
                if (chunk.size() > maxChunkBytes) {
                    throw invalid("chunk", "a chunk of " + chunk.size() + " bytes is over the limit of " + maxChunkBytes
                            + " (arbiter.optimizer.history.max-chunk-bytes); split the CSV into smaller chunks");
                }
                csv.feed(chunk.toByteArray());
            }
            default -> throw invalid("part", "part is empty: a message carries neither spec nor chunk; send the spec first, then chunks");
        }
    }

    ImportResult finish() {
        if (spec == null) {
            throw invalid("spec", "the stream carried no spec; send an ImportHistorySpec in the first message");
        }
        return csv != null ? csv.finish() : store.importServerFile(spec, serverPath);
    }
}
