package dev.arbiter.model.config;

import dev.arbiter.service.FeatureWindows;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Where model-service learns the feature schema that model inputs are checked against: feature-service's
 * GetFeatureSchema (client {@code quarkus.grpc.clients.features.*}), asked again every {@code schema-refresh} and at
 * once when a FeatureVector names a schema not known here. Until feature-service has answered once, the windows of
 * {@code arbiter.features.windows.*} (the same keys feature-service reads) stand in, with a warning in the log.
 */
@ConfigMapping(prefix = "arbiter.features")
public interface FeatureSchemaConfig {

    /** The windows used until feature-service has answered; see {@link FeatureWindows}. */
    FeatureWindows windows();

    /** How long a schema fetched from feature-service is used before it is asked again. */
    @WithDefault("30s")
    Duration schemaRefresh();

    /** Deadline of one GetFeatureSchema call. */
    @WithDefault("2s")
    Duration schemaDeadline();
}
