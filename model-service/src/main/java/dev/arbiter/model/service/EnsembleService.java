package dev.arbiter.model.service;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.model.repository.EnsembleEntity;
import dev.arbiter.model.repository.ModelVersionEntity;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named ensembles of pinned model versions. Definitions live in PostgreSQL; each replica keeps the
 * current plan of every ensemble it serves in memory and swaps it atomically on change.
 */
@ApplicationScoped
public class EnsembleService {

    private static final TypeReference<List<StoredMember>> MEMBERS = new TypeReference<>() {};

    /** The JSON form of a member in the ensemble table; {@code maxWeight} 0 (absent in rows written before it) = no cap. */
    public record StoredMember(String modelName, int version, double initialWeight, double maxWeight) {}

    private final ModelServiceConfig config;
    private final ModelServing serving;
    private final Map<String, EnsemblePlan> plans = new ConcurrentHashMap<>();

    public EnsembleService(ModelServiceConfig config, ModelServing serving) {
        this.config = config;
        this.serving = serving;
    }

    /**
     * Creates or redefines an ensemble. Every member, and the meta model ({@code metaModel}, null = none), must be
     * ACTIVE or SHADOW, so it is loaded and warmed up before the new definition can route a single prediction to it.
     */
    public EnsemblePlan define(String name, String description, List<StoredMember> members, double halfLife, double floor,
                               int expectedRevision, VersionKey metaModel) {
        ModelRegistry.checkName("ensemble.name", name);
        if (members.isEmpty()) {
            throw invalid("ensemble.members", "ensemble.members is empty; name at least one model version");
        }
        if (expectedRevision < 0) {
            throw invalid("expected_revision", "expected_revision is " + expectedRevision + "; send the revision you read, or 0 to skip the check");
        }
        if (halfLife < 0 || Double.isNaN(halfLife) || Double.isInfinite(halfLife)) {
            throw invalid("ensemble.weight_config.half_life_outcomes", "ensemble.weight_config.half_life_outcomes is " + halfLife + "; send a number > 0, or 0 for the default");
        }
        if (!(floor >= 0 && floor < 1)) {
            throw invalid("ensemble.weight_config.floor", "ensemble.weight_config.floor is " + floor + "; send a number in [0, 1)");
        }
        Set<VersionKey> seen = new HashSet<>();
        for (int i = 0; i < members.size(); i++) {
            StoredMember m = members.get(i);
            String field = "ensemble.members[" + i + "]";
            ModelRegistry.checkName(field + ".model_name", m.modelName());
            if (m.version() <= 0) {
                throw invalid(field + ".version", field + ".version is " + m.version() + "; pin a version number ≥ 1");
            }
            if (!(m.initialWeight() >= 0) || Double.isInfinite(m.initialWeight())) {
                throw invalid(field + ".initial_weight", field + ".initial_weight is " + m.initialWeight() + "; send a number > 0, or 0 for an equal share");
            }
            if (!(m.maxWeight() >= 0 && m.maxWeight() <= 1)) {
                throw invalid(field + ".max_weight", field + ".max_weight is " + m.maxWeight() + "; send a cap in [0, 1],"
                        + " or 0 for none");
            }
            if (!seen.add(new VersionKey(m.modelName(), m.version()))) {
                throw invalid(field, field + " repeats " + m.modelName() + " v" + m.version() + "; list each version once");
            }
        }
        if (metaModel != null) {
            ModelRegistry.checkName("ensemble.meta_model.model_name", metaModel.model());
            if (metaModel.version() <= 0) {
                throw invalid("ensemble.meta_model.version", "ensemble.meta_model.version is " + metaModel.version()
                        + "; pin a version number ≥ 1");
            }
            if (seen.contains(metaModel)) {
                throw invalid("ensemble.meta_model", "ensemble.meta_model is " + metaModel
                        + ", also a member; the meta model judges the members' combination, so it cannot be one of them");
            }
        }
        EnsemblePlan plan = persist(name, description, members, halfLife == 0 ? config.defaultHalfLifeOutcomes() : halfLife, floor,
                expectedRevision, metaModel);
        for (EnsemblePlan.Member m : plan.members()) {
            serving.preload(m.key());
        }
        if (metaModel != null) {
            serving.preload(metaModel);
        }
        plans.put(name, plan);
        return plan;
    }

    @Transactional
    EnsemblePlan persist(String name, String description, List<StoredMember> members, double halfLife, double floor,
                         int expectedRevision, VersionKey metaModel) {
        for (int i = 0; i < members.size(); i++) {
            StoredMember m = members.get(i);
            String field = "ensemble.members[" + i + "]";
            List<String> reads = ensembleOutputsRead(servingVersion(field, new VersionKey(m.modelName(), m.version())));
            if (!reads.isEmpty()) {
                throw invalid(field, field + " is " + m.modelName() + " v" + m.version() + ", which reads the ensemble's "
                        + "outputs " + reads + ": it is a meta model; name it in ensemble.meta_model instead");
            }
        }
        if (metaModel != null && ensembleOutputsRead(servingVersion("ensemble.meta_model", metaModel)).isEmpty()) {
            throw invalid("ensemble.meta_model", "ensemble.meta_model is " + metaModel + ", which reads none of the "
                    + "ensemble's outputs " + MetaGate.INPUTS + "; a meta model is fitted on them (upload it with those "
                    + "input names), or leave meta_model unset");
        }
        EnsembleEntity.getEntityManager()
                .createNativeQuery("INSERT INTO model.ensemble (name, members, half_life_outcomes, weight_floor, revision) VALUES (?1, '[]', 0, 0, 0) ON CONFLICT (name) DO NOTHING")
                .setParameter(1, name)
                .executeUpdate();
        EnsembleEntity e = EnsembleEntity.byNameForUpdate(name).orElseThrow();
        if (expectedRevision > 0 && e.revision != expectedRevision) {
            throw new RequestRefused(
                    Status.Code.FAILED_PRECONDITION,
                    "expected_revision",
                    "expected_revision is " + expectedRevision + " but ensemble \"" + name + "\" is at revision " + e.revision
                            + "; read it again and retry your change");
        }
        if (e.revision == 0) {
            e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        }
        e.description = description == null ? "" : description;
        e.members = Json.write(members);
        e.halfLifeOutcomes = halfLife;
        e.weightFloor = floor;
        e.metaModelName = metaModel == null ? null : metaModel.model();
        e.metaModelVersion = metaModel == null ? null : metaModel.version();
        e.revision += 1;
        e.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return plan(e);
    }

    /** The current plan of an ensemble, from memory or, the first time, from PostgreSQL. */
    public EnsemblePlan current(String name) {
        EnsemblePlan p = plans.get(name);
        return p != null ? p : reload(name);
    }

    /** Reads an ensemble again (after a change made here or on another replica). */
    public EnsemblePlan reload(String name) {
        return install(load(name));
    }

    /** Makes a plan current; from the next prediction on, it is the one used. */
    EnsemblePlan install(EnsemblePlan plan) {
        plans.put(plan.name(), plan);
        return plan;
    }

    /** The plan cached here, or null when this replica has not read the ensemble yet. */
    EnsemblePlan cached(String name) {
        return plans.get(name);
    }

    /**
     * {@link #install}, unless a newer revision is already current (a change notification and a reconcile can race:
     * the later of the two must not put back an older plan).
     */
    EnsemblePlan installIfNotOlder(EnsemblePlan plan) {
        return plans.merge(plan.name(), plan, (current, candidate) -> candidate.revision() >= current.revision() ? candidate : current);
    }

    /** Rebuilds every cached plan that contains a version whose status changed. */
    public void versionChanged(VersionKey key) {
        for (EnsemblePlan p : List.copyOf(plans.values())) {
            if (p.contains(key)) {
                reload(p.name());
            }
        }
    }

    @Transactional
    EnsemblePlan load(String name) {
        return plan(EnsembleEntity.byName(name)
                .filter(e -> e.revision > 0)
                .orElseThrow(() -> notFound("ensemble_name", "ensemble \"" + name + "\" is not defined; define it with DefineEnsemble")));
    }

    @Transactional
    public List<EnsemblePlan> all() {
        return EnsembleEntity.<EnsembleEntity>listAll(io.quarkus.panache.common.Sort.by("name")).stream()
                .filter(e -> e.revision > 0)
                .map(EnsembleService::plan)
                .toList();
    }

    /** Ensembles (by name) that contain a version as a member or as their meta model, for refusing to retire it. */
    @Transactional
    public List<String> containing(VersionKey key) {
        List<String> names = new ArrayList<>();
        for (EnsembleEntity e : EnsembleEntity.<EnsembleEntity>listAll()) {
            boolean uses = key.equals(metaModel(e));
            for (StoredMember m : Json.read(e.members, MEMBERS)) {
                uses |= m.modelName().equals(key.model()) && m.version() == key.version();
            }
            if (uses) {
                names.add(e.name);
            }
        }
        return names;
    }

    /** The version, which must exist and be ACTIVE or SHADOW to join an ensemble ({@code field} names it in refusals). */
    private static ModelVersionEntity servingVersion(String field, VersionKey key) {
        ModelVersionEntity v = ModelVersionEntity.find(key.model(), key.version())
                .orElseThrow(() -> notFound(field, field + " is " + key.model() + " v" + key.version()
                        + ", which does not exist; upload and activate it first, or fix the name and version"));
        VersionStatus status = VersionStatus.valueOf(v.status);
        if (!status.serving()) {
            throw RequestRefused.precondition(field, field + " is " + key.model() + " v" + key.version() + ", which is "
                    + status + "; activate it (or make it SHADOW) before it joins an ensemble");
        }
        return v;
    }

    /** The ensemble outputs ({@link MetaGate#INPUTS}) a version reads. */
    private static List<String> ensembleOutputsRead(ModelVersionEntity v) {
        return Json.strings(v.inputFeatureNames).stream().filter(MetaGate.INPUTS::contains).toList();
    }

    private static VersionKey metaModel(EnsembleEntity e) {
        return e.metaModelName == null ? null : new VersionKey(e.metaModelName, e.metaModelVersion);
    }

    private static EnsemblePlan plan(EnsembleEntity e) {
        List<EnsemblePlan.Member> members = new ArrayList<>();
        for (StoredMember m : Json.read(e.members, MEMBERS)) {
            VersionStatus status = ModelVersionEntity.find(m.modelName(), m.version())
                    .map(v -> VersionStatus.valueOf(v.status))
                    .orElse(VersionStatus.RETIRED);
            members.add(new EnsemblePlan.Member(new VersionKey(m.modelName(), m.version()), m.initialWeight(),
                    status == VersionStatus.SHADOW, m.maxWeight()));
        }
        return new EnsemblePlan(e.name, e.description, e.revision, List.copyOf(members), e.halfLifeOutcomes, e.weightFloor,
                e.createdAt, e.updatedAt, metaModel(e));
    }
}
