package dev.arbiter.model.service;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.model.drift.DriftMonitor;
import dev.arbiter.model.drift.DriftStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** GetDriftStatus (the drift of one version, of every monitored version of one model, or of every model) and ResetDriftReference. */
@ApplicationScoped
public class DriftQueries {

    private final ModelRegistry registry;
    private final DriftMonitor drift;
    private final ModelLifecycle lifecycle;

    public DriftQueries(ModelRegistry registry, DriftMonitor drift, ModelLifecycle lifecycle) {
        this.registry = registry;
        this.drift = drift;
        this.lifecycle = lifecycle;
    }

    /**
     * ResetDriftReference: empties a serving version's shared reference.
     *
     * @return the new generation
     * @throws dev.arbiter.service.RequestRefused INVALID_ARGUMENT on model_name or version, NOT_FOUND for an unknown
     *     model or version, FAILED_PRECONDITION for a version that is not ACTIVE or SHADOW
     */
    public long reset(String modelName, int version) {
        if (modelName.isEmpty()) {
            throw invalid("model_name", "model_name is missing; name the model whose drift reference to reset");
        }
        if (version <= 0) {
            throw invalid("version", "version is " + version + "; send the version number (≥ 1) whose reference to reset");
        }
        VersionInfo v = registry.version(modelName, version);
        if (!v.status().serving()) {
            throw precondition("version", modelName + " v" + version + " is " + v.status() + " and makes no drift"
                    + " reference; activate or shadow it (activation sets a new reference)");
        }
        return lifecycle.resetDriftReference(new VersionKey(modelName, version), "refresh");
    }

    /**
     * @param modelName "" = every model
     * @param version   0 = every monitored version of the model; ≥ 1 needs a model name
     * @throws dev.arbiter.service.RequestRefused INVALID_ARGUMENT on version or model_name, NOT_FOUND for an unknown
     *     model or version
     */
    public List<DriftStatus> statuses(String modelName, int version) {
        if (version < 0) {
            throw invalid("version", "version is " + version + "; send ≥ 1, or 0 for every serving version");
        }
        if (modelName.isEmpty() && version > 0) {
            throw invalid("model_name", "model_name is missing but version is " + version + "; name the model, or send version 0 for every model");
        }
        if (!modelName.isEmpty() && version > 0) {
            registry.version(modelName, version);
            return List.of(drift.status(modelName, version));
        }
        if (!modelName.isEmpty()) {
            registry.versions(modelName);
        }
        return drift.statuses().stream()
                .filter(s -> modelName.isEmpty() || s.modelName().equals(modelName))
                .toList();
    }
}
