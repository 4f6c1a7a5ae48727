package dev.arbiter.decision.policy;

import dev.arbiter.decision.config.PolicyConfig;
import dev.arbiter.decision.repository.LiveChangeEntity;
import dev.arbiter.decision.repository.ParameterSetEntity;
import dev.arbiter.decision.repository.RuleEntity;
import dev.arbiter.decision.repository.RuleSetEntity;
import dev.arbiter.decision.repository.ShadowRunEntity;
import dev.arbiter.decision.repository.VariantEntity;
import dev.arbiter.decision.repository.VariantExperimentEntity;
import dev.arbiter.engine.experiment.Assignment;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.rules.RuleCompiler;
import dev.arbiter.engine.rules.RuleDefinition;
import dev.arbiter.engine.rules.RuleKind;
import dev.arbiter.engine.rules.RuleRejected;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RequestRefused;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The policy decisions use right now: the live parameter set and rule set versions and the A/B variants, held in
 * memory and re-read from PostgreSQL whenever any replica changes them (Redis pub/sub notice, with a periodic
 * re-read as a safety net). Versions are immutable, so their values and compiled rules are cached forever; a
 * decision never touches PostgreSQL. Changes are made only by {@link PolicyVersions}.
 */
@ApplicationScoped
public class LivePolicy {

    private static final Logger LOG = Logger.getLogger(LivePolicy.class);

    /** The name of the default policy in decisions, variants and performance. */
    public static final String LIVE = "live";

    /** A variant as configured: version 0 follows the live version. */
    public record VariantState(String name, double splitFraction, int parameterSetVersion, int ruleSetVersion,
                               String description, long createdTsMicros) {}

    /** The running shadow run (StartShadowRun): its id and rule set version. */
    public record ShadowState(String shadowId, int ruleSetVersion) {}

    /**
     * The live versions, the variants with their experiment's salt and start (an empty salt: variants set before salts,
     * series_id hashed alone) and the running shadow run (null when none), as read together from PostgreSQL.
     */
    public record State(int parameterSetVersion, int ruleSetVersion, List<VariantState> variants, String salt,
                        long experimentStartedMicros, ShadowState shadow) {

        /** The variant named {@code name}, if configured. */
        public Optional<VariantState> variant(String name) {
            return variants.stream().filter(v -> v.name().equals(name)).findFirst();
        }

        /** Share of series left to the live policy. */
        public double liveFraction() {
            double sum = 0;
            for (VariantState v : variants) {
                sum += v.splitFraction();
            }
            return Math.max(0, 1 - sum);
        }
    }

    private record CompiledKey(int version, List<String> featureNames) {}

    private final PolicyConfig config;
    private final PolicyChangeBus bus;
    private final Map<Integer, PolicyParameters> parameters = new ConcurrentHashMap<>();
    private final Map<Integer, List<RuleDefinition>> rules = new ConcurrentHashMap<>();
    private final Map<CompiledKey, CompiledRuleSet> compiled = new ConcurrentHashMap<>();
    private volatile State state;
    /** The feature names decisions used last, so a new rule set is compiled before the first decision needs it. */
    private volatile List<String> lastFeatureNames;
    private ScheduledExecutorService reloader;

    public LivePolicy(PolicyConfig config, RedisDataSource redis,
                      @ConfigProperty(name = "arbiter.decision.redis-prefix", defaultValue = "arbiter:decision:") String redisPrefix) {
        this.config = config;
        this.bus = new PolicyChangeBus(redis, redisPrefix, this::reload);
    }

    void onStart(@Observes @Priority(10) StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /**
     * Subscribes to change notices first (a change committed meanwhile is then either read now or announced),
     * creates version 1 of parameters (engine defaults) and rules (empty) on a fresh database, and reads the state.
     */
    public void start() {
        bus.subscribe();
        createFirstVersions();
        // CEL's first compile costs most of a second (class loading): pay it here, not in the first decision.
        new RuleCompiler(List.of()).compile(List.of(new RuleDefinition("warm_up", "agreement >= 0.5", RuleKind.GATE, "")));
        reload();
        long every = config.reloadInterval().toMillis();
        if (every > 0) {
            reloader = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "live-policy-reload");
                t.setDaemon(true);
                return t;
            });
            reloader.scheduleWithFixedDelay(this::reloadQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    public void stop() {
        bus.unsubscribe();
        if (reloader != null) {
            reloader.shutdownNow();
            reloader = null;
        }
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.warnf("periodic reload of the live policy failed (%s); decisions go on with the versions loaded before", e.getMessage());
        }
    }

    private static void createFirstVersions() {
        QuarkusTransaction.requiringNew().run(() -> {
            LiveChangeEntity.lock(LiveChangeEntity.PARAMETERS);
            if (ParameterSetEntity.maxVersion() == 0) {
                ParameterSetEntity p = new ParameterSetEntity();
                p.version = 1;
                p.values = new HashMap<>(PolicyParameters.defaults().asMap());
                p.author = "decision-service";
                p.reason = "engine defaults, created at first start";
                p.createdTsMicros = ObservationTimes.nowMicros();
                p.persist();
                LiveChangeEntity.record(LiveChangeEntity.PARAMETERS, 1, p.author, p.reason);
            }
        });
        QuarkusTransaction.requiringNew().run(() -> {
            LiveChangeEntity.lock(LiveChangeEntity.RULES);
            if (RuleSetEntity.maxVersion() == 0) {
                RuleSetEntity r = new RuleSetEntity();
                r.version = 1;
                r.author = "decision-service";
                r.reason = "no rules, created at first start";
                r.createdTsMicros = ObservationTimes.nowMicros();
                r.persist();
                LiveChangeEntity.record(LiveChangeEntity.RULES, 1, r.author, r.reason);
            }
        });
    }

    /** Re-reads the live versions and variants from PostgreSQL (serialised, so an older read never wins). */
    public synchronized void reload() {
        State s = QuarkusTransaction.requiringNew().call(() -> {
            int p = LiveChangeEntity.live(LiveChangeEntity.PARAMETERS);
            int r = LiveChangeEntity.live(LiveChangeEntity.RULES);
            List<VariantState> variants = new ArrayList<>();
            for (VariantEntity v : VariantEntity.<VariantEntity>listAll(io.quarkus.panache.common.Sort.by("name"))) {
                variants.add(new VariantState(v.name, v.splitFraction, v.parameterSetVersion, v.ruleSetVersion, v.description, v.createdTsMicros));
            }
            ShadowRunEntity running = ShadowRunEntity.running();
            ShadowState shadow = running == null ? null : new ShadowState(running.shadowId, running.ruleSetVersion);
            VariantExperimentEntity experiment = VariantExperimentEntity.current();
            return new State(p, r, List.copyOf(variants), experiment.salt, experiment.startedTsMicros, shadow);
        });
        // Versions are immutable: load what the new state uses before it is served.
        parameters(s.parameterSetVersion());
        ruleDefinitions(s.ruleSetVersion());
        for (VariantState v : s.variants()) {
            parameters(v.parameterSetVersion() == 0 ? s.parameterSetVersion() : v.parameterSetVersion());
            ruleDefinitions(v.ruleSetVersion() == 0 ? s.ruleSetVersion() : v.ruleSetVersion());
        }
        if (s.shadow() != null) {
            ruleDefinitions(s.shadow().ruleSetVersion());
        }
        // Compile the rule sets the new state uses against the schema decisions use now, before it is served.
        List<String> names = lastFeatureNames;
        if (names != null) {
            precompile(s.ruleSetVersion(), names);
            for (VariantState v : s.variants()) {
                precompile(v.ruleSetVersion() == 0 ? s.ruleSetVersion() : v.ruleSetVersion(), names);
            }
            if (s.shadow() != null) {
                precompile(s.shadow().ruleSetVersion(), names);
            }
        }
        State before = state;
        state = s;
        if (before != null && !before.equals(s)) {
            LOG.infof("live policy now: parameters v%d, rules v%d, variants %s, shadow run %s", s.parameterSetVersion(),
                    s.ruleSetVersion(), s.variants().stream().map(VariantState::name).toList(),
                    s.shadow() == null ? "none" : s.shadow().shadowId() + " (rules v" + s.shadow().ruleSetVersion() + ")");
        }
        if (compiled.size() > 1000) {
            compiled.clear(); // many schemas or versions over a long run: recompiling is cheap enough
        }
    }

    private void precompile(int version, List<String> featureNames) {
        try {
            compiledRules(version, featureNames);
        } catch (RequestRefused e) {
            LOG.warnf("rule set version %d: %s", version, e.getMessage());
        }
    }

    /** After this replica changed the policy: read it now and tell the others. */
    void changed(String kind, int version) {
        reload();
        bus.publish(kind, version);
    }

    /** The live versions and variants now. */
    public State state() {
        State s = state;
        if (s == null) {
            synchronized (this) {
                if (state == null) {
                    reload();
                }
                s = state;
            }
        }
        return s;
    }

    /**
     * The variant's policy for this series: forcedVariant empty = assignment by a stable hash of seriesId over the
     * configured splits, "live" = the live policy; an unknown forced name is INVALID_ARGUMENT on variant_name.
     * featureNames = the schema names the rules are compiled against (cached per rule set version and schema).
     */
    public PolicySnapshot forSeries(String seriesId, String forcedVariant, List<String> featureNames) {
        State s = state();
        if (!featureNames.isEmpty()) {
            lastFeatureNames = featureNames;
        }
        VariantState v;
        if (forcedVariant == null || forcedVariant.isEmpty()) {
            v = assign(s, seriesId);
        } else if (LIVE.equals(forcedVariant)) {
            v = null;
        } else {
            v = s.variant(forcedVariant).orElseThrow(() -> RequestRefused.invalid("variant_name", "variant_name \""
                    + forcedVariant + "\" is not a variant; send one of " + variantNames(s) + ", or leave it empty for assignment by series"));
        }
        if (v == null) {
            return snapshot(LIVE, s.parameterSetVersion(), s.ruleSetVersion(), featureNames, shadow(s.shadow(), featureNames));
        }
        return snapshot(v.name(),
                v.parameterSetVersion() == 0 ? s.parameterSetVersion() : v.parameterSetVersion(),
                v.ruleSetVersion() == 0 ? s.ruleSetVersion() : v.ruleSetVersion(),
                featureNames, null);
    }

    /** The shadow run's rules against this schema; a rule set that does not compile is reported, never thrown. */
    private PolicySnapshot.Shadow shadow(ShadowState s, List<String> featureNames) {
        if (s == null) {
            return null;
        }
        try {
            return new PolicySnapshot.Shadow(s.shadowId(), s.ruleSetVersion(), compiledRules(s.ruleSetVersion(), featureNames), "");
        } catch (RequestRefused e) {
            return new PolicySnapshot.Shadow(s.shadowId(), s.ruleSetVersion(), null, e.getMessage());
        }
    }

    /** Exact versions, for replay; NOT_FOUND when a version does not exist. */
    public PolicySnapshot forVersions(String variantName, int parameterSetVersion, int ruleSetVersion, List<String> featureNames) {
        return snapshot(variantName == null || variantName.isEmpty() ? LIVE : variantName, parameterSetVersion, ruleSetVersion,
                featureNames, null);
    }

    private PolicySnapshot snapshot(String variant, int parameterSetVersion, int ruleSetVersion, List<String> featureNames,
                                    PolicySnapshot.Shadow shadow) {
        return new PolicySnapshot(variant, parameterSetVersion, parameters(parameterSetVersion), ruleSetVersion,
                compiledRules(ruleSetVersion, featureNames), shadow);
    }

    private static List<String> variantNames(State s) {
        List<String> names = new ArrayList<>();
        names.add(LIVE);
        s.variants().forEach(v -> names.add(v.name()));
        return names;
    }

    /** The variant a series belongs to (null = live): its hash in [0, 1) against the cumulative splits, by name. */
    public static VariantState assign(State s, String seriesId) {
        if (s.variants().isEmpty()) {
            return null;
        }
        double u = Assignment.unit(s.salt(), seriesId);
        double cumulative = 0;
        for (VariantState v : s.variants()) {
            cumulative += v.splitFraction();
            if (u < cumulative) {
                return v;
            }
        }
        return null;
    }

    /** Parameter set {@code version}; NOT_FOUND when it does not exist. */
    public PolicyParameters parameters(int version) {
        PolicyParameters p = parameters.get(version);
        if (p != null) {
            return p;
        }
        ParameterSetEntity e = version <= 0 ? null
                : QuarkusTransaction.joiningExisting().call(() -> ParameterSetEntity.<ParameterSetEntity>findById(version));
        if (e == null) {
            throw RequestRefused.notFound("parameter_set_version", "parameter_set_version " + version + ": no such parameter set version");
        }
        p = toParameters(e.values, version);
        parameters.put(version, p);
        return p;
    }

    /** Stored values over the engine defaults: a parameter added to the engine later takes its default. */
    static PolicyParameters toParameters(Map<String, Double> stored, int version) {
        Map<String, Double> known = new HashMap<>();
        stored.forEach((k, v) -> {
            if (dev.arbiter.engine.policy.PolicyParameter.byKey(k) != null) {
                known.put(k, v);
            } else {
                LOG.warnf("parameter set version %d holds \"%s\", which the engine no longer knows; it is ignored", version, k);
            }
        });
        return PolicyParameters.defaults().with(known);
    }

    /** Rule set {@code version}'s rules, in order; NOT_FOUND when it does not exist. */
    public List<RuleDefinition> ruleDefinitions(int version) {
        List<RuleDefinition> r = rules.get(version);
        if (r != null) {
            return r;
        }
        r = QuarkusTransaction.joiningExisting().call(() -> {
            if (version <= 0 || RuleSetEntity.findById(version) == null) {
                return null;
            }
            List<RuleDefinition> defs = new ArrayList<>();
            for (RuleEntity e : RuleEntity.ofVersion(version)) {
                defs.add(new RuleDefinition(e.ruleId, e.expression, RuleKind.valueOf(e.kind), e.description));
            }
            return List.copyOf(defs);
        });
        if (r == null) {
            throw RequestRefused.notFound("rule_set_version", "rule_set_version " + version + ": no such rule set version");
        }
        rules.put(version, r);
        return r;
    }

    /**
     * Rule set {@code version} compiled against {@code featureNames}. A stored rule set that no longer checks
     * against the schema (a feature it reads was removed) is FAILED_PRECONDITION: never a decision with rules
     * silently dropped.
     */
    public CompiledRuleSet compiledRules(int version, List<String> featureNames) {
        List<RuleDefinition> defs = ruleDefinitions(version);
        if (defs.isEmpty()) {
            return CompiledRuleSet.EMPTY;
        }
        CompiledKey key = new CompiledKey(version, featureNames);
        CompiledRuleSet c = compiled.get(key);
        if (c != null) {
            return c;
        }
        try {
            c = new RuleCompiler(featureNames).compile(defs);
        } catch (RuleRejected e) {
            throw RequestRefused.precondition("rule_set_version", "rule set version " + version
                    + " does not check against the current feature schema: " + e.getMessage()
                    + "; set a rule set that does (SetRuleSet) or roll back to one (RollbackRuleSet)");
        }
        compiled.put(new CompiledKey(version, List.copyOf(featureNames)), c);
        return c;
    }
}
