package dev.arbiter.decision.policy;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.notFound;
import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.decision.config.PolicyConfig;
import dev.arbiter.decision.repository.LiveChangeEntity;
import dev.arbiter.decision.repository.ParameterSetEntity;
import dev.arbiter.decision.repository.RuleEntity;
import dev.arbiter.decision.repository.RuleSetEntity;
import dev.arbiter.decision.repository.VariantEntity;
import dev.arbiter.decision.repository.VariantExperimentEntity;
import dev.arbiter.decision.policy.LivePolicy.VariantState;
import dev.arbiter.engine.policy.BuiltInGate;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.RuleCompiler;
import dev.arbiter.engine.rules.RuleDefinition;
import dev.arbiter.engine.rules.RuleKind;
import dev.arbiter.engine.rules.RuleRejected;
import dev.arbiter.service.Identifiers;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RequestRefused;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Every change of the live policy: parameter set and rule set versions (immutable, numbered; a change creates
 * version n + 1 and makes it live unless staged), rollbacks (a new version copying an earlier one) and variants.
 * Each change is one PostgreSQL transaction under a row lock of its kind, so concurrent changes from several
 * replicas are serialised and {@code expected_live_version} checks are exact; after the commit the change is
 * announced to every replica.
 */
@ApplicationScoped
public class PolicyVersions {

    private static final Logger LOG = Logger.getLogger(PolicyVersions.class);
    private static final Pattern VARIANT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final int MAX_AUTHOR = 200;
    static final int MAX_REASON = 2000;
    static final int MAX_SALT = 64;

    /** A parameter set version: every parameter's value by name, in catalogue order. */
    public record ParameterSetView(int version, Map<String, Double> values, String author, String reason,
                                   long createdTsMicros, int sourceVersion, boolean live) {}

    /** A rule set version. */
    public record RuleSetView(int version, List<RuleDefinition> rules, String author, String reason,
                              long createdTsMicros, int sourceVersion, boolean live, List<String> proposalIds) {}

    /** One page of versions, newest first, and how many there are in all. */
    public record VersionPage<T>(List<T> items, long total) {}

    private final LivePolicy live;
    private final FeatureSchemas schemas;
    private final PolicyConfig config;

    public PolicyVersions(LivePolicy live, FeatureSchemas schemas, PolicyConfig config) {
        this.live = live;
        this.schemas = schemas;
        this.config = config;
    }

    // ---------------------------------------------------------------- parameters

    /** Version {@code version}, 0 = live. */
    public ParameterSetView parameterSet(int version) {
        if (version < 0) {
            throw invalid("version", "version is " + version + "; send a version number >= 1, or 0 for the live set");
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            int liveVersion = LiveChangeEntity.live(LiveChangeEntity.PARAMETERS);
            int v = version == 0 ? liveVersion : version;
            ParameterSetEntity e = ParameterSetEntity.findById(v);
            if (e == null) {
                throw notFound("version", "parameter set version " + v + " does not exist (newest: " + ParameterSetEntity.maxVersion() + ")");
            }
            return view(e, liveVersion);
        });
    }

    public VersionPage<ParameterSetView> parameterSets(int offset, int size) {
        return QuarkusTransaction.requiringNew().call(() -> {
            int liveVersion = LiveChangeEntity.live(LiveChangeEntity.PARAMETERS);
            List<ParameterSetView> items = new ArrayList<>();
            for (ParameterSetEntity e : ParameterSetEntity.<ParameterSetEntity>findAll(Sort.descending("version"))
                    .range(offset, offset + size - 1).list()) {
                items.add(view(e, liveVersion));
            }
            return new VersionPage<>(items, ParameterSetEntity.count());
        });
    }

    /**
     * A new version: the live values with {@code changes}, live unless {@code stageOnly}; with {@code dryRun} the
     * would-be version is answered and nothing is stored.
     */
    public ParameterSetView setParameters(Map<String, Double> changes, String author, String reason, int expectedLiveVersion,
                                          boolean stageOnly, boolean dryRun) {
        checkWho(author, reason);
        checkExpected(expectedLiveVersion);
        if (changes.isEmpty()) {
            throw invalid("values", "values is empty; send at least one parameter to change (known: "
                    + String.join(", ", PolicyParameters.keys()) + "); to copy an earlier version use RollbackParameters");
        }
        for (Map.Entry<String, Double> c : changes.entrySet()) {
            PolicyParameter p = PolicyParameter.byKey(c.getKey());
            String field = "values[\"" + c.getKey() + "\"]";
            if (p == null) {
                throw invalid(field, field + ": unknown policy parameter \"" + c.getKey() + "\"; known: " + String.join(", ", PolicyParameters.keys()));
            }
            String problem = p.problemWith(c.getValue());
            if (problem != null) {
                throw invalid(field, field + ": " + problem);
            }
        }
        ParameterSetView created = QuarkusTransaction.requiringNew().call(() -> {
            LiveChangeEntity.lock(LiveChangeEntity.PARAMETERS);
            int liveVersion = LiveChangeEntity.live(LiveChangeEntity.PARAMETERS);
            checkStillLive(expectedLiveVersion, liveVersion, "parameter set");
            PolicyParameters values;
            try {
                values = live.parameters(liveVersion).with(changes);
            } catch (IllegalArgumentException e) {
                throw invalid("values", "values: " + e.getMessage());
            }
            ParameterSetEntity e = new ParameterSetEntity();
            e.version = ParameterSetEntity.maxVersion() + 1;
            e.values = new LinkedHashMap<>(values.asMap());
            e.author = author;
            e.reason = reason;
            e.createdTsMicros = ObservationTimes.nowMicros();
            e.sourceVersion = liveVersion;
            if (dryRun) {
                return view(e, stageOnly ? liveVersion : e.version);
            }
            e.persist();
            if (!stageOnly) {
                LiveChangeEntity.record(LiveChangeEntity.PARAMETERS, e.version, author, reason);
            }
            return view(e, stageOnly ? liveVersion : e.version);
        });
        if (!dryRun) {
            LOG.infof("parameter set v%d created by %s (%s)%s", created.version(), author, reason, stageOnly ? ", staged" : ", live");
            live.changed(LiveChangeEntity.PARAMETERS, created.version());
        }
        return created;
    }

    /** A new live version copying {@code toVersion} (0 = the version live before the current one). */
    public ParameterSetView rollbackParameters(int toVersion, String author, String reason) {
        checkWho(author, reason);
        checkRollbackTarget(toVersion);
        ParameterSetView created = QuarkusTransaction.requiringNew().call(() -> {
            LiveChangeEntity.lock(LiveChangeEntity.PARAMETERS);
            int liveVersion = LiveChangeEntity.live(LiveChangeEntity.PARAMETERS);
            int target = rollbackTarget(toVersion, LiveChangeEntity.PARAMETERS, liveVersion, "parameter set");
            ParameterSetEntity source = ParameterSetEntity.findById(target);
            if (source == null) {
                throw notFound("to_version", "to_version: parameter set version " + target + " does not exist (newest: " + ParameterSetEntity.maxVersion() + ")");
            }
            ParameterSetEntity e = new ParameterSetEntity();
            e.version = ParameterSetEntity.maxVersion() + 1;
            e.values = new LinkedHashMap<>(LivePolicy.toParameters(source.values, target).asMap());
            e.author = author;
            e.reason = reason;
            e.createdTsMicros = ObservationTimes.nowMicros();
            e.sourceVersion = target;
            e.persist();
            LiveChangeEntity.record(LiveChangeEntity.PARAMETERS, e.version, author, reason);
            return view(e, e.version);
        });
        LOG.infof("parameter set v%d (a copy of v%d) made live by %s (%s)", created.version(), created.sourceVersion(), author, reason);
        live.changed(LiveChangeEntity.PARAMETERS, created.version());
        return created;
    }

    private static ParameterSetView view(ParameterSetEntity e, int liveVersion) {
        return new ParameterSetView(e.version, LivePolicy.toParameters(e.values, e.version).asMap(), e.author, e.reason,
                e.createdTsMicros, e.sourceVersion, e.version == liveVersion);
    }

    // ---------------------------------------------------------------- rules

    /** Version {@code version}, 0 = live. */
    public RuleSetView ruleSet(int version) {
        if (version < 0) {
            throw invalid("version", "version is " + version + "; send a version number >= 1, or 0 for the live rule set");
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            int liveVersion = LiveChangeEntity.live(LiveChangeEntity.RULES);
            int v = version == 0 ? liveVersion : version;
            RuleSetEntity e = RuleSetEntity.findById(v);
            if (e == null) {
                throw notFound("version", "rule set version " + v + " does not exist (newest: " + RuleSetEntity.maxVersion() + ")");
            }
            return view(e, liveVersion);
        });
    }

    public VersionPage<RuleSetView> ruleSets(int offset, int size) {
        return QuarkusTransaction.requiringNew().call(() -> {
            int liveVersion = LiveChangeEntity.live(LiveChangeEntity.RULES);
            List<RuleSetView> items = new ArrayList<>();
            for (RuleSetEntity e : RuleSetEntity.<RuleSetEntity>findAll(Sort.descending("version"))
                    .range(offset, offset + size - 1).list()) {
                items.add(view(e, liveVersion));
            }
            return new VersionPage<>(items, RuleSetEntity.count());
        });
    }

    /**
     * A new rule set version (the complete set), checked against feature-service's current schema, live unless
     * {@code stageOnly}. A rule that does not check is INVALID_ARGUMENT on rules[i] naming its rule_id.
     */
    public RuleSetView setRuleSet(List<RuleDefinition> rules, String author, String reason, int expectedLiveVersion,
                                  boolean stageOnly, List<String> proposalIds) {
        checkWho(author, reason);
        checkExpected(expectedLiveVersion);
        if (rules.size() > config.maxRules()) {
            throw invalid("rules", "rules has " + rules.size() + " rules, more than " + config.maxRules() + "; split the logic into fewer rules");
        }
        for (int i = 0; i < proposalIds.size(); i++) {
            String id = proposalIds.get(i);
            if (id.isBlank() || id.length() > 128 || id.contains(",")) {
                throw invalid("proposal_ids[" + i + "]", "proposal_ids[" + i + "] is \"" + id + "\"; send non-empty ids of at most 128 characters without commas");
            }
        }
        for (int i = 0; i < rules.size(); i++) {
            for (BuiltInGate g : BuiltInGate.values()) {
                if (g.gateName().equals(rules.get(i).id())) {
                    throw invalid("rules[" + i + "].rule_id", "rules[" + i + "].rule_id \"" + g.gateName()
                            + "\" is the name of a built-in gate, so their results and statistics would mix; choose another id");
                }
            }
        }
        checkRules(rules, "rules");
        RuleSetView created = QuarkusTransaction.requiringNew().call(() -> {
            LiveChangeEntity.lock(LiveChangeEntity.RULES);
            int liveVersion = LiveChangeEntity.live(LiveChangeEntity.RULES);
            checkStillLive(expectedLiveVersion, liveVersion, "rule set");
            RuleSetEntity e = newRuleSet(rules, author, reason, 0, String.join(",", proposalIds));
            if (!stageOnly) {
                LiveChangeEntity.record(LiveChangeEntity.RULES, e.version, author, reason);
            }
            return view(e, stageOnly ? liveVersion : e.version);
        });
        LOG.infof("rule set v%d (%d rules) created by %s (%s)%s", created.version(), rules.size(), author, reason, stageOnly ? ", staged" : ", live");
        live.changed(LiveChangeEntity.RULES, created.version());
        return created;
    }

    /**
     * A new live version copying {@code toVersion} (0 = the version live before the current one); when
     * {@code expectedLiveVersion} > 0, only if it is still the live version.
     */
    public RuleSetView rollbackRuleSet(int toVersion, String author, String reason, int expectedLiveVersion) {
        checkWho(author, reason);
        checkRollbackTarget(toVersion);
        checkExpected(expectedLiveVersion);
        RuleSetView created = QuarkusTransaction.requiringNew().call(() -> {
            LiveChangeEntity.lock(LiveChangeEntity.RULES);
            int liveVersion = LiveChangeEntity.live(LiveChangeEntity.RULES);
            checkStillLive(expectedLiveVersion, liveVersion, "rule set");
            int target = rollbackTarget(toVersion, LiveChangeEntity.RULES, liveVersion, "rule set");
            RuleSetEntity source = RuleSetEntity.findById(target);
            if (source == null) {
                throw notFound("to_version", "to_version: rule set version " + target + " does not exist (newest: " + RuleSetEntity.maxVersion() + ")");
            }
            List<RuleDefinition> rules = live.ruleDefinitions(target);
            checkRulesIfSchemaKnown(rules, "to_version");
            RuleSetEntity e = newRuleSet(rules, author, reason, target, source.proposalIds);
            LiveChangeEntity.record(LiveChangeEntity.RULES, e.version, author, reason);
            return view(e, e.version);
        });
        LOG.infof("rule set v%d (a copy of v%d) made live by %s (%s)", created.version(), created.sourceVersion(), author, reason);
        live.changed(LiveChangeEntity.RULES, created.version());
        return created;
    }

    private static RuleSetEntity newRuleSet(List<RuleDefinition> rules, String author, String reason, int sourceVersion, String proposalIds) {
        RuleSetEntity e = new RuleSetEntity();
        e.version = RuleSetEntity.maxVersion() + 1;
        e.author = author;
        e.reason = reason;
        e.createdTsMicros = ObservationTimes.nowMicros();
        e.sourceVersion = sourceVersion;
        e.proposalIds = proposalIds;
        e.persist();
        for (int i = 0; i < rules.size(); i++) {
            RuleDefinition d = rules.get(i);
            RuleEntity r = new RuleEntity();
            r.key = new RuleEntity.Key(e.version, i);
            r.ruleId = d.id();
            r.expression = d.expression();
            r.kind = d.kind().name();
            r.description = d.description() == null ? "" : d.description();
            r.persist();
        }
        return e;
    }

    /** Compiles the rules against feature-service's current schema; UNAVAILABLE when it cannot be asked. */
    private void checkRules(List<RuleDefinition> rules, String field) {
        if (rules.isEmpty()) {
            return;
        }
        FeatureSchemas.Schema schema = schemas.current(field);
        compile(rules, schema.names(), field);
    }

    /** A rollback is an emergency tool: it checks against the schema when feature-service answers, else goes ahead. */
    private void checkRulesIfSchemaKnown(List<RuleDefinition> rules, String field) {
        if (rules.isEmpty()) {
            return;
        }
        FeatureSchemas.Schema schema;
        try {
            schema = schemas.current(field);
        } catch (RequestRefused e) {
            LOG.warnf("rolling back without checking the rules against the feature schema: %s", e.getMessage());
            return;
        }
        compile(rules, schema.names(), field);
    }

    private static void compile(List<RuleDefinition> rules, List<String> featureNames, String field) {
        try {
            new RuleCompiler(featureNames).compile(rules);
        } catch (RuleRejected e) {
            // The rule with that id (for an id used twice, its second use, which is what was refused).
            int index = -1;
            int seen = 0;
            for (int i = 0; i < rules.size() && seen < 2; i++) {
                if (e.ruleId().equals(rules.get(i).id())) {
                    index = i;
                    seen++;
                }
            }
            String where = "rules".equals(field) && index >= 0 ? "rules[" + index + "]" : field;
            throw invalid(where, where + " (rule_id \"" + e.ruleId() + "\"): " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- variants

    /**
     * Replaces every variant at once; {@code variants} carry version 0 to follow the live version. {@code salt} equal to
     * the current one keeps the experiment (assignment and start); any other starts a new one now, an empty one with a
     * fresh random salt.
     */
    public LivePolicy.State setVariants(List<VariantState> variants, String author, String reason, String salt) {
        checkWho(author, reason);
        if (salt.length() > MAX_SALT || !salt.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw invalid("salt", "salt is \"" + (salt.length() > MAX_SALT ? salt.substring(0, MAX_SALT) + "..." : salt)
                    + "\"; send at most " + MAX_SALT + " printable ASCII characters without spaces (ListVariants' salt keeps the experiment), or none for a new one");
        }
        if (variants.size() > config.maxVariants()) {
            throw invalid("variants", "variants has " + variants.size() + " entries, more than " + config.maxVariants());
        }
        Set<String> names = new HashSet<>();
        double sum = 0;
        for (int i = 0; i < variants.size(); i++) {
            VariantState v = variants.get(i);
            String f = "variants[" + i + "]";
            if (LivePolicy.LIVE.equals(v.name())) {
                throw invalid(f + ".name", f + ".name is \"live\", the name reserved for the default policy; choose another name");
            }
            if (!VARIANT_NAME.matcher(v.name()).matches()) {
                throw invalid(f + ".name", f + ".name is \"" + v.name() + "\"; send 1-64 lowercase letters, digits, '_' or '-', starting with a letter or digit");
            }
            if (!names.add(v.name())) {
                throw invalid(f + ".name", f + ".name \"" + v.name() + "\" is used twice; variant names must be unique");
            }
            if (!(v.splitFraction() >= 0 && v.splitFraction() <= 1)) {
                throw invalid(f + ".split_fraction", f + ".split_fraction is " + v.splitFraction() + "; send a share in [0, 1]");
            }
            sum += v.splitFraction();
            if (v.parameterSetVersion() < 0) {
                throw invalid(f + ".parameter_set_version", f + ".parameter_set_version is " + v.parameterSetVersion()
                        + "; send an existing version, or 0 to follow the live version");
            }
            if (v.ruleSetVersion() < 0) {
                throw invalid(f + ".rule_set_version", f + ".rule_set_version is " + v.ruleSetVersion()
                        + "; send an existing version, or 0 to follow the live version");
            }
            if (v.description().length() > MAX_REASON) {
                throw invalid(f + ".description", f + ".description has " + v.description().length() + " characters; send at most " + MAX_REASON);
            }
        }
        if (sum > 1 + 1e-9) {
            throw invalid("variants", "the split fractions of variants sum to " + sum + ", more than 1; lower them so the variants share at most all traffic");
        }
        for (int i = 0; i < variants.size(); i++) {
            VariantState v = variants.get(i);
            String f = "variants[" + i + "]";
            if (v.parameterSetVersion() > 0) {
                try {
                    live.parameters(v.parameterSetVersion());
                } catch (RequestRefused e) {
                    throw invalid(f + ".parameter_set_version", f + ".parameter_set_version " + v.parameterSetVersion()
                            + " does not exist; create it with SetParameters (stage_only) first, or send 0 to follow the live version");
                }
            }
            if (v.ruleSetVersion() > 0) {
                List<RuleDefinition> rules;
                try {
                    rules = live.ruleDefinitions(v.ruleSetVersion());
                } catch (RequestRefused e) {
                    throw invalid(f + ".rule_set_version", f + ".rule_set_version " + v.ruleSetVersion()
                            + " does not exist; create it with SetRuleSet (stage_only) first, or send 0 to follow the live version");
                }
                checkRules(rules, f + ".rule_set_version");
            }
        }
        QuarkusTransaction.requiringNew().run(() -> {
            LiveChangeEntity.lock("variants");
            Map<String, Long> created = new HashMap<>();
            for (VariantEntity e : VariantEntity.<VariantEntity>listAll()) {
                created.put(e.name, e.createdTsMicros);
            }
            VariantEntity.deleteAll();
            VariantEntity.flush();
            // the bulk delete leaves the variants read above in the persistence context: persisting one of the same
            // name again (SetVariants keeping a variant) failed with EntityExistsException until they are detached
            VariantEntity.getEntityManager().clear();
            long now = ObservationTimes.nowMicros();
            VariantExperimentEntity experiment = VariantExperimentEntity.current();
            if (salt.isEmpty() || !salt.equals(experiment.salt)) {
                experiment.salt = salt.isEmpty() ? UUID.randomUUID().toString() : salt;
                experiment.startedTsMicros = now;
            }
            for (VariantState v : variants) {
                VariantEntity e = new VariantEntity();
                e.name = v.name();
                e.splitFraction = v.splitFraction();
                e.parameterSetVersion = v.parameterSetVersion();
                e.ruleSetVersion = v.ruleSetVersion();
                e.description = v.description();
                e.createdTsMicros = created.getOrDefault(v.name(), now);
                e.persist();
            }
        });
        LOG.infof("variants set by %s (%s): %s", author, reason, variants.stream().map(v -> v.name() + "=" + v.splitFraction()).toList());
        live.changed("variants", 0);
        return live.state();
    }

    // ---------------------------------------------------------------- shared checks

    static void checkWho(String author, String reason) {
        if (author.isBlank()) {
            throw invalid("author", "author is missing; say who makes the change (a person, \"optimizer-service\" or \"rule-service\")");
        }
        Identifiers.requireText("author", author, MAX_AUTHOR);
        if (reason.isBlank()) {
            throw invalid("reason", "reason is missing; say why the change is made");
        }
        Identifiers.requireText("reason", reason, MAX_REASON);
    }

    private static void checkExpected(int expected) {
        if (expected < 0) {
            throw invalid("expected_live_version", "expected_live_version is " + expected + "; send the live version you read, or 0 not to check");
        }
    }

    private static void checkStillLive(int expected, int liveVersion, String what) {
        if (expected > 0 && expected != liveVersion) {
            throw precondition("expected_live_version", "expected_live_version is " + expected + " but the live " + what + " is version "
                    + liveVersion + " now; read it again, re-apply your change to it and send expected_live_version " + liveVersion);
        }
    }

    private static void checkRollbackTarget(int toVersion) {
        if (toVersion < 0) {
            throw invalid("to_version", "to_version is " + toVersion + "; send an existing version, or 0 for the version live before the current one");
        }
    }

    private static int rollbackTarget(int toVersion, String kind, int liveVersion, String what) {
        int target = toVersion == 0 ? LiveChangeEntity.previous(kind) : toVersion;
        if (target == 0) {
            throw precondition("to_version", "no " + what + " version was live before the current one (version " + liveVersion
                    + "); send the to_version to copy");
        }
        if (target == liveVersion) {
            throw precondition("to_version", "to_version " + target + ": that " + what + " version is already live; nothing to roll back");
        }
        return target;
    }

    private static RuleSetView view(RuleSetEntity e, int liveVersion) {
        List<RuleDefinition> rules = new ArrayList<>();
        for (RuleEntity r : RuleEntity.ofVersion(e.version)) {
            rules.add(new RuleDefinition(r.ruleId, r.expression, RuleKind.valueOf(r.kind), r.description));
        }
        List<String> proposals = e.proposalIds.isEmpty() ? List.of() : Arrays.asList(e.proposalIds.split(","));
        return new RuleSetView(e.version, rules, e.author, e.reason, e.createdTsMicros, e.sourceVersion, e.version == liveVersion, proposals);
    }
}
