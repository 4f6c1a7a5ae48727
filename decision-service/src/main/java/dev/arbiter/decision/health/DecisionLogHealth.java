package dev.arbiter.decision.health;

import dev.arbiter.decision.log.DecisionLog;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the decision log. A PostgreSQL that is briefly unreachable does not make the service unready:
 * decisions go on into the local spool (Agroal's own datasource check is off for that reason), and this check says so
 * in its data. Unready when the writer has stopped, or when the spool has not drained for
 * {@code arbiter.decision.log.spool-unready-after}, so that traffic moves to replicas whose log drains.
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
        boolean spooling = log.spooling();
        return HealthCheckResponse.named("decision-log")
                .status(log.writing() && !log.spoolStuck())
                .withData("database", spooling ? "decisions are spooled locally until PostgreSQL takes them" : "reachable")
                .withData("spooling", spooling)
                .withData("spooled", log.spooled())
                .withData("spool_age_seconds", log.spoolAge().toSeconds())
                .withData("dead_letters", log.deadLettered())
                .build();
    }
}
