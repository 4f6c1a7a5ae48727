package dev.arbiter.optimizer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** optimizer-service settings ({@code arbiter.optimizer.*}), one nested group per area. */
@ConfigMapping(prefix = "arbiter.optimizer")
public interface OptimizerConfig {

    /** Stored history: where it lives, what an import may send ({@code arbiter.optimizer.history.*}). */
    History history();

    /** Page sizes of the List* RPCs. */
    Paging paging();

    /** Training jobs and their calls to model-service ({@code arbiter.optimizer.training.*}). */
    TrainingConfig training();

    interface History {

        /** Directory holding one folder of Parquet files per series; created when missing. */
        @WithDefault("data/history")
        String root();

        /** Directory that ImportHistory's server_path is resolved under; none = server_path is refused. */
        Optional<String> importRoot();

        /** Largest accepted ImportHistory chunk, in bytes. */
        @WithDefault("1048576")
        int maxChunkBytes();

        /** Largest CSV one import may stream or name, in bytes. */
        @WithDefault("1073741824")
        long maxImportBytes();

        /** Longest accepted series_id, in characters. */
        @WithDefault("128")
        int maxSeriesIdLength();

        /** Rejected rows listed in an ImportHistory response (all are counted). */
        @WithDefault("100")
        int maxRejectedRowsReported();

        /** Observations per ReadHistory stream message. */
        @WithDefault("1000")
        int readBatchRows();

        /** Memory DuckDB may use while writing or reading Parquet, e.g. "512MB". */
        @WithDefault("512MB")
        String duckdbMemoryLimit();
    }

    interface Paging {

        /** Page size when a request sends page_size 0. */
        @WithDefault("50")
        int defaultPageSize();

        /** Largest page size; larger requests are lowered to it. */
        @WithDefault("500")
        int maxPageSize();
    }
}
