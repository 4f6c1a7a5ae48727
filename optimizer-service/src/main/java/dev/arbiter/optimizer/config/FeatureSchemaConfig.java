package dev.arbiter.optimizer.config;

import dev.arbiter.service.FeatureWindows;
import io.smallrye.config.ConfigMapping;

/**
 * The feature windows training and backtests compute features with: the same {@code arbiter.features.windows.*} keys
 * feature-service serves from, so a model trained here reads the features served there. A model registered with other
 * windows is refused by model-service, naming both schema ids.
 */
@ConfigMapping(prefix = "arbiter.features")
public interface FeatureSchemaConfig {

    /** The windows; see {@link FeatureWindows}. */
    FeatureWindows windows();
}
