package dev.arbiter.model.service;

import dev.arbiter.model.drift.DriftMonitor;
import dev.arbiter.service.RequestRefused;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Status changes of versions and ensembles, here and on other replicas. Activation loads and warms
 * a version up before its status says ACTIVE; if the load fails nothing changes and whatever was
 * serving keeps serving.
 */
@ApplicationScoped
public class ModelLifecycle {

    private static final Logger LOG = Logger.getLogger(ModelLifecycle.class);

    private final ModelRegistry registry;
    private final ModelServing serving;
    private final EnsembleService ensembles;
    private final WeightStore weights;
    private final ChangeBus bus;
    private final DriftMonitor drift;

    public ModelLifecycle(
            ModelRegistry registry, ModelServing serving, EnsembleService ensembles, WeightStore weights, ChangeBus bus, DriftMonitor drift) {
        this.registry = registry;
        this.serving = serving;
        this.ensembles = ensembles;
        this.weights = weights;
        this.bus = bus;
        this.drift = drift;
    }

    @PostConstruct
    void listen() {
        bus.onChange(this::applyRemote);
    }

    /** At start, every ACTIVE and SHADOW version is loaded and warmed up before traffic arrives. */
    void onStart(@Observes StartupEvent event) {
        for (VersionInfo v : registry.serving()) {
            try {
                serving.preload(v.key());
            } catch (RequestRefused e) {
                LOG.errorf("%s is %s but does not load: %s", v.key(), v.status(), e.getMessage());
            }
        }
    }

    public VersionInfo activate(VersionKey key, String reason) {
        return serve(key, VersionStatus.ACTIVE, reason);
    }

    public VersionInfo shadow(VersionKey key, String reason) {
        return serve(key, VersionStatus.SHADOW, reason);
    }

    private VersionInfo serve(VersionKey key, VersionStatus status, String reason) {
        VersionInfo current = registry.version(key.model(), key.version());
        if (current.status() == VersionStatus.RETIRED) {
            throw ModelRegistry.precondition(key, "it is RETIRED, which is final; upload the artifact again as a new version");
        }
        serving.preload(key); // throws, changing nothing, when the version cannot load
        VersionInfo changed = registry.setStatus(key, status, reason);
        ensembles.versionChanged(key);
        bus.publish(ChangeBus.Kind.VERSION, key.model(), key.version());
        if (current.status() != status) {
            resetDriftReference(key, "activation");
        }
        return changed;
    }

    /** Retires a version that no ensemble uses; in-flight predictions on it finish first. */
    public VersionInfo retire(VersionKey key, String reason) {
        registry.version(key.model(), key.version());
        List<String> users = ensembles.containing(key);
        if (!users.isEmpty()) {
            throw ModelRegistry.precondition(key, "ensembles " + users + " still use it; redefine them without it first");
        }
        VersionInfo changed = registry.setStatus(key, VersionStatus.RETIRED, reason);
        serving.unload(key);
        drift.forget(key.model(), key.version(), true);
        bus.publish(ChangeBus.Kind.VERSION, key.model(), key.version());
        return changed;
    }

    public EnsemblePlan define(
            String name, String description, List<EnsembleService.StoredMember> members, double halfLife, double floor,
            int expectedRevision, VersionKey metaModel) {
        EnsemblePlan plan = ensembles.define(name, description, members, halfLife, floor, expectedRevision, metaModel);
        bus.publish(ChangeBus.Kind.ENSEMBLE, name, plan.revision());
        return plan;
    }

    /**
     * Empties a serving version's shared drift reference (every replica's next predictions form a new one) and tells
     * the other replicas at once.
     *
     * @return the reference's new generation
     * @throws io.grpc.StatusRuntimeException UNAVAILABLE when PostgreSQL cannot be reached; nothing changed then
     */
    public long resetDriftReference(VersionKey key, String reason) {
        long generation;
        try {
            generation = drift.reset(key.model(), key.version(), reason);
        } catch (java.sql.SQLException e) {
            throw io.grpc.Status.UNAVAILABLE.withDescription("the drift reference of " + key.model() + " v"
                    + key.version() + " could not be reset: PostgreSQL did not answer (" + e.getMessage() + "); retry")
                    .asRuntimeException();
        }
        bus.publish(ChangeBus.Kind.DRIFT_REFERENCE, key.model(), key.version());
        return generation;
    }

    /** After an outcome changed weights here, the other replicas re-read them. */
    public void weightsChanged(String ensemble) {
        bus.publish(ChangeBus.Kind.WEIGHTS, ensemble, 0);
    }

    /** Makes a plan read from PostgreSQL current here, its versions loaded first (warm before it takes traffic). */
    private void installWarm(EnsemblePlan plan) {
        plan.members().forEach(m -> serving.preload(m.key()));
        if (plan.metaModel() != null) {
            serving.preload(plan.metaModel());
        }
        ensembles.installIfNotOlder(plan);
    }

    /**
     * Brings what this replica holds in memory in line with PostgreSQL and Redis, whatever change notification it
     * missed (pub/sub delivers at most once: a replica disconnected for a moment loses what was published meanwhile):
     * every ensemble plan it has cached that differs from the stored one (a new revision, or a member's status) is
     * replaced, and every ensemble's weights are read again. {@link Reconciliation} runs it every
     * {@code arbiter.models.reconcile-interval}.
     *
     * @return how many plans and weight copies were out of date
     */
    public int reconcile() {
        int changed = 0;
        for (EnsemblePlan stored : ensembles.all()) {
            EnsemblePlan cached = ensembles.cached(stored.name());
            if (cached != null && !cached.equals(stored)) {
                LOG.infof("reconcile: ensemble %s revision %d here, %d stored; a change notification was missed",
                        stored.name(), cached.revision(), stored.revision());
                installWarm(stored);
                changed++;
            }
        }
        return changed + weights.refreshAll();
    }

    private void applyRemote(ChangeBus.Change change) {
        switch (change.kind()) {
            case VERSION -> {
                VersionKey key = new VersionKey(change.name(), change.version());
                VersionInfo v = registry.version(key.model(), key.version());
                if (v.status().serving()) {
                    serving.preload(key);
                } else if (v.status() == VersionStatus.RETIRED) {
                    serving.unload(key);
                    drift.forget(key.model(), key.version(), false);
                }
                ensembles.versionChanged(key);
            }
            case ENSEMBLE -> installWarm(ensembles.load(change.name()));
            case WEIGHTS -> weights.refresh(change.name());
            case DRIFT_REFERENCE -> drift.refresh(change.name(), change.version());
        }
        LOG.debugf("applied %s from another replica", change);
    }
}
