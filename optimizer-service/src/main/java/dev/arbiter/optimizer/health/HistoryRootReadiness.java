package dev.arbiter.optimizer.health;

import dev.arbiter.optimizer.history.HistoryStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the history root accepts new files: imports write there. The database has its own check. */
@Readiness
@ApplicationScoped
public class HistoryRootReadiness implements HealthCheck {

    private final HistoryStore history;

    public HistoryRootReadiness(HistoryStore history) {
        this.history = history;
    }

    @Override
    public HealthCheckResponse call() {
        Path root = history.root();
        var r = HealthCheckResponse.named("history root writable").withData("root", root.toString());
        try {
            Path probe = Files.createTempFile(root, ".ready-", ".probe");
            Files.delete(probe);
            return r.up().build();
        } catch (IOException | RuntimeException e) {
            return r.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
