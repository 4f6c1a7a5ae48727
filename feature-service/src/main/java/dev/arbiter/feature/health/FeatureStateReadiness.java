package dev.arbiter.feature.health;

import dev.arbiter.feature.service.FeatureStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once series state has been restored from Redis (Redis itself has its own readiness check). */
@Readiness
@ApplicationScoped
public class FeatureStateReadiness implements HealthCheck {

    private final FeatureStore store;

    public FeatureStateReadiness(FeatureStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("feature-state")
                .status(store.ready())
                .withData("series", store.seriesCount())
                .withData("schema", store.schema().id())
                .build();
    }
}
