package dev.arbiter.decision.health;

import dev.arbiter.decision.service.DecisionLog;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the decision log. An unreachable PostgreSQL does not make the service unready: decisions go on into
 * the local spool (Agroal's own datasource check is off for that reason), and this check says so in its data.
 * Unready only when the writer has stopped.
 */
@Readiness
@ApplicationScoped
public class DecisionLogHealth implements HealthCheck {

    private final DecisionLog log;

    public DecisionLogHealth(DecisionLog log) {
        this.log = log;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("decision-log")
                .status(log.writing())
                .withData("database", log.spooling() ? "unreachable: decisions are spooled locally" : "reachable")
                .withData("spooled", log.spooled())
                .build();
    }
}
