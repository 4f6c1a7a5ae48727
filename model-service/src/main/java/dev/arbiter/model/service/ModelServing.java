package dev.arbiter.model.service;

import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.model.runtime.ModelArtifact;
import dev.arbiter.model.runtime.ModelLoadException;
import dev.arbiter.model.runtime.ModelRuntimes;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The runtimes in memory. A version is loaded and warmed up before anything routes traffic to it;
 * replacing or unloading one releases the table's reference, and the runtime closes when the last
 * in-flight prediction on it releases its own.
 */
@ApplicationScoped
public class ModelServing {

    private static final Logger LOG = Logger.getLogger(ModelServing.class);

    private final ModelRegistry registry;
    private final FeatureSchemas schemas;
    private final ConcurrentHashMap<VersionKey, LoadedModel> loaded = new ConcurrentHashMap<>();

    public ModelServing(ModelRegistry registry, FeatureSchemas schemas) {
        this.registry = registry;
        this.schemas = schemas;
    }

    /** Loads (or finds) a version and returns it with a reference held for the caller, who must release it. */
    public LoadedModel acquire(VersionKey key) {
        while (true) {
            LoadedModel m = loaded.get(key);
            if (m == null) {
                m = load(key);
                LoadedModel raced = loaded.putIfAbsent(key, m);
                if (raced != null) {
                    m.release();
                    m = raced;
                }
            }
            if (m.acquire()) {
                return m;
            }
            loaded.remove(key, m); // closed under us: load afresh
        }
    }

    /** Loads a version now (the artifact is read, checked, loaded and warmed up); throws if it cannot. */
    public void preload(VersionKey key) {
        acquire(key).release();
    }

    /** Drops the table's reference; in-flight predictions finish on it first. */
    public void unload(VersionKey key) {
        LoadedModel m = loaded.remove(key);
        if (m != null) {
            m.release();
            LOG.infof("unloaded %s", key);
        }
    }

    /** Whether the version is in memory now, so acquiring it reads nothing from PostgreSQL. */
    public boolean isLoaded(VersionKey key) {
        return loaded.containsKey(key);
    }

    /** The version if it is in memory now (not acquired: for a look at it before {@link #acquire}), else null. */
    LoadedModel inMemory(VersionKey key) {
        return loaded.get(key);
    }

    private LoadedModel load(VersionKey key) {
        ModelRegistry.Stored stored = registry.artifact(key);
        ModelArtifact artifact = stored.artifact();
        FeatureSchemas.Schema schema = schemas.byId(stored.featureSchemaId());
        if (schema == null) {
            throw RequestRefused.precondition(
                    "version",
                    key + " was registered against feature schema " + stored.featureSchemaId() + ", which is not known here"
                            + " (feature-service serves " + schemas.served().id() + "); train it again on the served features");
        }
        List<String> names = artifact.inputFeatureNames();
        int[] index = new int[names.size()];
        for (int i = 0; i < index.length; i++) {
            int meta = MetaGate.INPUTS.indexOf(names.get(i));
            // an ensemble output a meta model reads: -(k + 1) for MetaGate.INPUTS[k]
            index[i] = meta >= 0 ? -(meta + 1) : schema.indexOf(names.get(i));
        }
        try {
            LoadedModel m = new LoadedModel(key, ModelRuntimes.load(artifact), names, schema, index);
            LOG.infof("loaded and warmed up %s (%s, %d inputs)", key, artifact.format(), index.length);
            return m;
        } catch (ModelLoadException e) {
            throw new RequestRefused(
                    Status.Code.FAILED_PRECONDITION,
                    "version",
                    key + " failed to load: " + e.getMessage() + "; the versions already serving keep serving");
        }
    }
}
