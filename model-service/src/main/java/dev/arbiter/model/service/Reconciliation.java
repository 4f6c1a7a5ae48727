package dev.arbiter.model.service;

import dev.arbiter.model.config.ModelServiceConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs {@link ModelLifecycle#reconcile} every {@code arbiter.models.reconcile-interval} on one daemon thread, so a
 * replica converges on the stored ensembles and weights without relying on pub/sub alone.
 */
@ApplicationScoped
public class Reconciliation {

    private static final Logger LOG = Logger.getLogger(Reconciliation.class);

    private final ModelLifecycle lifecycle;
    private final ModelServiceConfig config;
    private ScheduledExecutorService timer;

    public Reconciliation(ModelLifecycle lifecycle, ModelServiceConfig config) {
        this.lifecycle = lifecycle;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        long millis = config.reconcileInterval().toMillis();
        if (millis <= 0) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "model-reconcile");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::runOnce, millis, millis, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void runOnce() {
        try {
            lifecycle.reconcile();
        } catch (RuntimeException e) {
            LOG.warnf("reconcile failed (%s); the next one tries again", e.getMessage());
        }
    }
}
